from dataclasses import dataclass
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

    def language(self, requested: str | None) -> Language:
        return Language(requested) if requested else self.settings.language
