"""Customer journey stages for Saleor stores.

The core (``core/``, ``models.py``, ``tasks.py``, ``graphql/``) knows nothing of
Saleor; ``plugin.py`` and ``saleor_adapter/`` translate Saleor objects into plain
journey events.
"""
