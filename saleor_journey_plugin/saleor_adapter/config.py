"""The plugin's dashboard configuration, generated from the channel fields.

Saleor keeps a configuration as ``[{"name": ..., "value": ...}]``, a switch's
value as a boolean, and reads a secret field back masked; everything else
about a field comes from ``saleor_journey_plugin/configuration.py``.
"""

from .. import configuration
from ..core.fields import FieldKind
from ..core.host import ChannelSettings

FIELDS = configuration.fields()
DEFAULTS = {field.name: field.default for field in FIELDS}
HELP = {field.name: (field.label, field.help) for field in FIELDS}
BOOLEAN_FIELDS = frozenset(f.name for f in FIELDS if f.kind is FieldKind.BOOLEAN)
SECRET_FIELDS = frozenset(f.name for f in FIELDS if f.kind is FieldKind.SECRET)
MULTILINE_FIELDS = frozenset(f.name for f in FIELDS if f.kind is FieldKind.MULTILINE)


def config_structure(types: dict[FieldKind, str]) -> dict[str, dict]:
    """Saleor's CONFIG_STRUCTURE: each field's dashboard type (``types``:
    Saleor's name for each kind), label and help."""
    return {
        field.name: {
            "type": types[field.kind],
            "label": field.label,
            "help_text": field.help,
        }
        for field in FIELDS
    }


def dashboard_defaults() -> list[dict]:
    """Saleor's DEFAULT_CONFIGURATION: a switch's value is a boolean."""
    return [
        {
            "name": field.name,
            "value": field.read(None)
            if field.kind is FieldKind.BOOLEAN
            else field.default,
        }
        for field in FIELDS
    ]


def _values(saved: list[dict]) -> dict[str, object]:
    return {item["name"]: item.get("value") for item in saved or [] if "name" in item}


def errors(saved: list[dict]) -> dict[str, str]:
    """Field name -> message for every value the engine cannot use."""
    return configuration.errors(_values(saved))


def channel_settings(saved: list[dict]) -> ChannelSettings:
    """Settings from a saved configuration; a stale bad value gets its default."""
    return configuration.channel_settings(_values(saved))
