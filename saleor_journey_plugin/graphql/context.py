from dataclasses import dataclass, field
from typing import Any

from ..core.host import ChannelSettings, Viewer
from ..core.presets import Language


@dataclass(frozen=True)
class JourneyContext:
    """What every resolver sees: the caller, the channel and its settings."""

    viewer: Viewer
    channel: str
    settings: ChannelSettings
    request: Any = None
    # This request's DataLoaders by class (dataloaders.loader): one each, so
    # every journey on a page joins the same batch and nothing outlives it.
    loaders: dict[type, Any] = field(
        default_factory=dict, compare=False, hash=False, repr=False
    )

    def language(self, requested: str | None) -> Language:
        return Language(requested) if requested else self.settings.language
