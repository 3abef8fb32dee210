"""The campaign kinds: one module each in this package, found by name.

Importing the package imports every module beside this one; each defines one
:class:`~.base.CampaignKind` subclass, which registers itself. A new kind is
its module and its templates (``templates/<language>/<value>_<part>.hbs``);
nothing else names it.
"""

import pkgutil
from importlib import import_module

from .base import (
    CampaignKind,
    checkout_kinds,
    kinds,
    named,
    trigger_types,
    triggered_by,
)

for _module in pkgutil.iter_modules(__path__):
    if _module.name != "base":
        import_module(f"{__name__}.{_module.name}")

__all__ = [
    "CampaignKind",
    "checkout_kinds",
    "kinds",
    "named",
    "trigger_types",
    "triggered_by",
]
