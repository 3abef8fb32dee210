"""Double opt-in: an anonymous newsletter sign-up counts once its owner confirms.

Anyone can type an address into a storefront form, so an anonymous opt-in is
logged as a request that moves nobody. The link mailed to that address carries
a signed token; following it records the opt-in for whoever owns the address.
"""

from datetime import datetime, timedelta

from django.core import signing
from django.utils import timezone

from ..models import JourneyEvent
from .events import EventType, JourneyEventData, TouchChannel
from .host import scoped_salt

SALT = "saleor_journey_plugin.opt_in"
VALID_FOR = timedelta(days=7)


class InvalidConfirmation(Exception):
    """The link is forged, expired, or its request was erased."""


class ExpiredConfirmation(InvalidConfirmation):
    """The link is genuine but older than ``VALID_FOR``."""


def confirmation_token(request_event_id: int) -> str:
    return signing.dumps(request_event_id, salt=scoped_salt(SALT))


def confirmed_opt_in(token: str, now: datetime | None = None) -> JourneyEventData:
    """The opt-in a valid confirmation link stands for, ready to track.

    Keyed by the request, so following the link twice counts once.
    """
    try:
        request_id = signing.loads(token, salt=scoped_salt(SALT), max_age=VALID_FOR)
    except signing.SignatureExpired as error:
        raise ExpiredConfirmation(str(error)) from error
    except signing.BadSignature as error:
        raise InvalidConfirmation(str(error)) from error
    request = (
        JourneyEvent.objects.filter(
            pk=request_id, type=EventType.NEWSLETTER_OPT_IN_REQUESTED.value
        )
        .exclude(email="")
        .only("pk", "channel", "email")
        .first()
    )
    if request is None:
        raise InvalidConfirmation("This opt-in request no longer exists.")
    return JourneyEventData(
        type=EventType.NEWSLETTER_OPT_IN,
        idempotency_key=f"opt-in:{request.pk}:confirmed",
        occurred_at=now or timezone.now(),
        channel=request.channel,
        # The address's owner followed the link: the opt-in is theirs, account
        # or guest, and not the anonymous visitor's who asked for it.
        email=request.email,
        touch_channel=TouchChannel.EMAIL,
    )
