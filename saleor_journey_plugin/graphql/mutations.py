import graphene
from django.utils import timezone

from .. import service
from ..core.events import EventType, JourneyEventData, Source, TouchChannel
from .enums import TouchChannelEnum
from .errors import InvalidArgument

MAX_EVENT_ID = 100
SIGNED_IN_ONLY = frozenset({EventType.UNSUBSCRIBED})

TrackableEventEnum = graphene.Enum(
    "JourneyTrackableEvent",
    [
        (t.value, t.value)
        for t in (
            EventType.VISIT,
            EventType.PRODUCT_VIEWED,
            EventType.NEWSLETTER_OPT_IN,
            EventType.UNSUBSCRIBED,
        )
    ],
)


class JourneyTrackInput(graphene.InputObjectType):
    event_type = TrackableEventEnum(required=True)
    event_id = graphene.String(
        required=True,
        description="Client-made id of this occurrence; a resend with it counts once.",
    )
    email = graphene.String(description="Needed when the visitor is not signed in.")
    touch_channel = TouchChannelEnum(default_value=TouchChannel.WEB.value)
    utm_source = graphene.String(default_value="")
    utm_medium = graphene.String(default_value="")
    utm_campaign = graphene.String(default_value="")
    referrer = graphene.String(default_value="")
    search_term = graphene.String(default_value="")
    product_id = graphene.String(default_value="")


class TrackJourneyEvent(graphene.Mutation):
    """Record a storefront touchpoint: a visit, a product view, an opt-in or opt-out."""

    class Arguments:
        input = JourneyTrackInput(required=True)

    recorded = graphene.Boolean(
        required=True, description="False when this eventId was recorded before."
    )

    @staticmethod
    def mutate(root, info, input):
        viewer, channel = info.context.viewer, info.context.channel
        event_id = input.event_id.strip()
        if not event_id or len(event_id) > MAX_EVENT_ID:
            raise InvalidArgument(
                f"'eventId' must be 1 to {MAX_EVENT_ID} characters.", field="eventId"
            )
        event_type = EventType(input.event_type)
        email = viewer.email if viewer.is_customer else (input.email or "").strip()
        if not viewer.is_customer and "@" not in email:
            raise InvalidArgument(
                "Give the visitor's 'email' or sign in as a customer.", field="email"
            )
        if not viewer.is_customer and event_type in SIGNED_IN_ONLY:
            # Anyone can type an address; only its owner may report a pain point.
            raise InvalidArgument(
                f"{event_type.value} can only be reported by a signed-in customer.",
                field="eventType",
            )
        who = f"user:{viewer.user_id}" if viewer.is_customer else email.lower()
        recorded = service.track(
            JourneyEventData(
                type=event_type,
                idempotency_key=f"track:{channel}:{who}:{event_id}",
                occurred_at=timezone.now(),
                channel=channel,
                user_id=viewer.user_id,
                email=email,
                touch_channel=TouchChannel(input.touch_channel or TouchChannel.WEB),
                # Clients may send null for any optional field; null means "none".
                source=Source(
                    utm_source=input.utm_source or "",
                    utm_medium=input.utm_medium or "",
                    utm_campaign=input.utm_campaign or "",
                    referrer=input.referrer or "",
                    search_term=input.search_term or "",
                ),
                payload={"product_id": input.product_id} if input.product_id else {},
            )
        )
        return TrackJourneyEvent(recorded=recorded is not None)
