"""The demo's clock: the plugin reads the simulated moment as "now".

The campaign sweep, loyalty and the review webhook take ``now`` where a caller
can pass it, and the demo passes the simulated moment. The store's HTTP
endpoints cannot be told a time: the click redirect records its click, the
review webhook checks a signature's timestamp and loyalty its tiers at
``django.utils.timezone.now()``. While the demo runs, that function answers the
simulation's moment, so a click in simulated June is a click in June.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

from django.utils import timezone


@contextmanager
def simulated_now(moment: Callable[[], datetime]) -> Iterator[None]:
    """``timezone.now()`` answers ``moment()`` until the block ends."""
    real = timezone.now
    setattr(timezone, "now", moment)  # noqa: B010 (a module function)
    try:
        yield
    finally:
        setattr(timezone, "now", real)  # noqa: B010
