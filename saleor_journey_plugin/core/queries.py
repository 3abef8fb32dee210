"""Read-side questions the API asks about journeys."""

from django.db.models import Count, Q, QuerySet

from ..models import Customer, Journey, JourneyEvent
from .events import PAIN_POINTS, EventType, normalize_email
from .stages import Stage


def find_customer(*, user_id: str = "", email: str = "") -> Customer | None:
    if user_id:
        return Customer.objects.filter(user_id=user_id).first()
    email = normalize_email(email)
    if not email:
        return None
    # A registered account wins over a guest record with the same email.
    return Customer.objects.filter(email=email).order_by("user_id").first()


def journey_of(customer: Customer | None, channel: str) -> Journey | None:
    if customer is None:
        return None
    return (
        Journey.objects.select_related("customer")
        .filter(customer=customer, channel=channel)
        .first()
    )


def journeys_in_stage(
    channel: str, stage: Stage | None, first: int, after_id: int | None
) -> tuple[list[Journey], bool]:
    """A page of journeys, oldest first, and whether another page follows."""
    journeys: QuerySet[Journey] = Journey.objects.select_related("customer").filter(
        channel=channel, stage__isnull=False
    )
    if stage is not None:
        journeys = journeys.filter(stage=stage.value)
    if after_id is not None:
        journeys = journeys.filter(pk__gt=after_id)
    page = list(journeys.order_by("pk")[: first + 1])
    return page[:first], len(page) > first


def stage_counts(channel: str) -> dict[Stage, int]:
    rows = (
        Journey.objects.filter(channel=channel, stage__isnull=False)
        .values("stage")
        .annotate(count=Count("pk"))
    )
    counts = {stage: 0 for stage in Stage}
    for row in rows:
        counts[Stage(str(row["stage"]))] = row["count"]
    return counts


def touchpoints(
    journey: Journey, limit: int, pain_only: bool = False
) -> list[JourneyEvent]:
    """The customer's latest events in the journey's channel, newest first."""
    events = JourneyEvent.objects.filter(
        customer_id=journey.customer_id, channel__in=[journey.channel, ""]
    ).exclude(type=EventType.CUSTOMER_DELETED.value)
    if pain_only:
        events = events.filter(
            Q(type__in=[t.value for t in PAIN_POINTS])
            | Q(type=EventType.REVIEW_SUBMITTED.value, payload__rating__lte=2)
        )
    return list(events.order_by("-occurred_at", "-id")[:limit])
