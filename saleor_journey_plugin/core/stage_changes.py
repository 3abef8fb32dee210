"""Telling the host which journeys changed stage, once their transaction is in."""

import logging
from collections.abc import Iterable

from ..models import Journey
from .host import get_host

logger = logging.getLogger(__name__)


def report_stage_changes(journeys: Iterable[Journey]) -> None:
    journeys = list(journeys)
    if not journeys:
        return
    try:
        get_host().stages_changed(journeys)
    except Exception:
        # Tagging the store's own records is a courtesy; the journeys are saved.
        logger.exception("Could not report the stages of %d journeys", len(journeys))
