"""The journey as a Saleor App: the plugin's core behind signed webhooks.

A third host beside the Saleor plugin (``saleor_journey_plugin.saleor_adapter``)
and the example store. See docs/app.md.
"""
