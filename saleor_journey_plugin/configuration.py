"""Every channel setting of every capability, and the one way a host reads them.

Core knows nothing of the capabilities, so the list of sections sits here,
above them: the journey's own fields, then loyalty, reviews and campaigns, in
the order a configuration page shows them. Each host (the Saleor plugin, the
example store, the Saleor App) hands :func:`channel_settings` the raw values
it stored, by these names, and renders its form from :func:`fields`.
"""

from collections.abc import Mapping

from .campaigns import settings as campaigns
from .core import journey_fields
from .core.fields import Field, read
from .core.host import ChannelSettings
from .loyalty import settings as loyalty
from .reviews import settings as reviews

SECTIONS = (journey_fields.SECTION, loyalty.SECTION, reviews.SECTION, campaigns.SECTION)


def fields() -> list[Field]:
    return [field for section in SECTIONS for field in section.fields()]


def errors(raw: Mapping[str, object]) -> dict[str, str]:
    """Field name -> what is wrong and what is allowed, for every bad value."""
    values, found = read(fields(), raw)
    for section in SECTIONS:
        for name, message in section.check(values).items():
            found.setdefault(name, message)
    return found


def channel_settings(
    raw: Mapping[str, object], *, currency: str | None = None
) -> ChannelSettings:
    """The settings the engine runs a channel with; a stale bad value gets its
    default (the dashboard refuses new ones with ``errors``)."""
    values, _ = read(fields(), raw)
    parts: dict = {}
    for section in SECTIONS:
        parts.update(section.build(values))
    return ChannelSettings(currency=currency, **parts)
