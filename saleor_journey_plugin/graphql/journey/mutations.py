import re

import graphene
from django.utils import timezone

from ... import service
from ...core.events import EventType, JourneyEventData, Source, TouchChannel
from ..errors import InvalidArgument
from ..throttle import check_opt_in_rate, check_rate
from ..validation import clean_email, clean_text
from .enums import TouchChannelEnum, TrackableEventEnum

MAX_EVENT_ID = 100
MAX_PRODUCT_ID = 100
MAX_SOURCE = 255
MAX_REFERRER = 1024
VISITOR_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
VISITOR_ID_HINT = "8 to 64 letters, digits, '-' or '_' (a UUID will do)"
# Only the owner of an account may report that they left; a signed link in the
# campaign emails will serve guests.
SIGNED_IN_ONLY = frozenset({EventType.UNSUBSCRIBED})


class JourneyTrackInput(graphene.InputObjectType):
    event_type = TrackableEventEnum(required=True)
    event_id = graphene.String(
        required=True,
        description=(
            f"Client-made id of this occurrence, 1 to {MAX_EVENT_ID} characters; "
            "a resend with it counts once."
        ),
    )
    visitor_id = graphene.String(
        description=(
            "The id your storefront made up for this browser and keeps (like "
            f"PostHog's distinct id or Segment's anonymousId): {VISITOR_ID_HINT}. "
            "Required when not signed in: anonymous events stay on this visitor. "
            "Sent by a signed-in customer, it joins that visitor's history to "
            "their account."
        )
    )
    email = graphene.String(
        description=(
            "An address the anonymous visitor typed (a newsletter form). It is "
            "kept on the visitor and never joins them to an existing account; "
            "ignored when signed in."
        )
    )
    touch_channel = TouchChannelEnum(default_value=TouchChannel.WEB.value)
    utm_source = graphene.String(default_value="")
    utm_medium = graphene.String(default_value="")
    utm_campaign = graphene.String(default_value="")
    referrer = graphene.String(default_value="")
    search_term = graphene.String(default_value="")
    product_id = graphene.String(default_value="")


class TrackJourneyEvent(graphene.Mutation):
    """Record a storefront touchpoint: a visit, a product view, an opt-in or opt-out.

    Calls are limited per client when anonymous and per account when signed in.
    Anonymous calls change only their visitor's own journey; an anonymous
    newsletter opt-in waits for its owner to confirm it.
    """

    class Arguments:
        input = JourneyTrackInput(required=True)

    recorded = graphene.Boolean(
        required=True, description="False when this eventId was recorded before."
    )
    pending_confirmation = graphene.Boolean(
        required=True,
        description=(
            "True for an anonymous newsletter opt-in: it counts once its owner "
            "follows the confirmation link mailed to them."
        ),
    )

    @staticmethod
    def mutate(root, info, input):
        context = info.context
        viewer, channel = context.viewer, context.channel
        check_rate(viewer, context.request, scope="track")
        event_type = EventType(input.event_type)
        event_id = clean_text(input.event_id, "eventId", MAX_EVENT_ID, required=True)
        visitor_id = clean_text(
            input.visitor_id,
            "visitorId",
            64,
            pattern=VISITOR_ID,
            pattern_hint=VISITOR_ID_HINT,
        )
        if not viewer.is_customer and not visitor_id:
            raise InvalidArgument(
                "Sign in as a customer, or send the 'visitorId' your storefront "
                "keeps for this browser.",
                field="visitorId",
            )
        if viewer.is_customer:
            email, who = viewer.email, f"user:{viewer.user_id}"
        else:
            email, who = clean_email(input.email), f"visitor:{visitor_id}"
            event_type = _anonymous_event_type(event_type, email)
            if event_type is EventType.NEWSLETTER_OPT_IN_REQUESTED:
                check_opt_in_rate(context.request)
        recorded = service.record_and_wake(
            JourneyEventData(
                type=event_type,
                idempotency_key=f"track:{channel}:{who}:{event_id}",
                occurred_at=timezone.now(),
                channel=channel,
                user_id=viewer.user_id,
                email=email,
                visitor_id=visitor_id,
                touch_channel=TouchChannel(input.touch_channel or TouchChannel.WEB),
                source=_source(input),
                payload=_payload(input),
            )
        )
        return TrackJourneyEvent(
            recorded=recorded is not None,
            pending_confirmation=event_type is EventType.NEWSLETTER_OPT_IN_REQUESTED,
        )


def _anonymous_event_type(event_type: EventType, email: str) -> EventType:
    if event_type in SIGNED_IN_ONLY:
        raise InvalidArgument(
            f"{event_type.value} can only be reported by a signed-in customer.",
            field="eventType",
        )
    if event_type is EventType.NEWSLETTER_OPT_IN:
        if not email:
            raise InvalidArgument(
                "An anonymous opt-in needs the 'email' to confirm it with.",
                field="email",
            )
        return EventType.NEWSLETTER_OPT_IN_REQUESTED
    return event_type


def _source(input) -> Source:
    # Clients may send null for any optional field; null means "none".
    return Source(
        utm_source=clean_text(input.utm_source, "utmSource", MAX_SOURCE),
        utm_medium=clean_text(input.utm_medium, "utmMedium", MAX_SOURCE),
        utm_campaign=clean_text(input.utm_campaign, "utmCampaign", MAX_SOURCE),
        referrer=clean_text(input.referrer, "referrer", MAX_REFERRER),
        search_term=clean_text(input.search_term, "searchTerm", MAX_SOURCE),
    )


def _payload(input) -> dict[str, str]:
    product_id = clean_text(input.product_id, "productId", MAX_PRODUCT_ID)
    return {"product_id": product_id} if product_id else {}
