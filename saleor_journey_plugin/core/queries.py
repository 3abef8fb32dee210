"""Read-side questions the API asks about journeys."""

from collections import defaultdict
from collections.abc import Iterable
from typing import cast

from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber

from ..models import Customer, Journey, JourneyEvent, StageTransition
from .events import PAIN_POINTS, REVIEWS, EventType, normalize_email
from .stages import Stage


def find_customer(*, user_id: str = "", email: str = "") -> Customer | None:
    """The customer staff (or a store) name by user id, or by email.

    By email: the account whose own address it is (the store's account fact
    gave it, and one account holds an address at a time, a constraint), else
    the guest with it. Never a visitor: the address a visitor typed is
    unverified. A checkout's or an order's address gives an account nothing.
    """
    if user_id:
        return Customer.objects.filter(user_id=user_id).first()
    email = normalize_email(email)
    if not email:
        return None
    found = list(Customer.objects.filter(email=email, visitor_id__isnull=True)[:2])
    accounts = [customer for customer in found if customer.user_id]
    return next(iter(accounts or found), None)


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


def history(journey_ids: Iterable[int]) -> dict[int, list[StageTransition]]:
    """Each journey's stage changes with their cause event, oldest first."""
    found: dict[int, list[StageTransition]] = defaultdict(list)
    transitions = (
        StageTransition.objects.filter(journey_id__in=list(journey_ids))
        .select_related("event")
        .order_by("journey_id", "occurred_at", "id")
    )
    for transition in transitions:
        found[transition.journey_id].append(transition)
    return found


def touchpoints(
    customer_ids: Iterable[int], channel: str, limit: int, pain_only: bool = False
) -> dict[int, list[JourneyEvent]]:
    """Each customer's latest ``limit`` events in ``channel``, newest first.

    One query for any number of customers: events are ranked per customer and
    only the first ``limit`` of each are read. Customer-wide events (empty
    channel, such as an account created) belong to every channel's journey.
    """
    events = JourneyEvent.objects.filter(
        customer_id__in=list(customer_ids), channel__in=[channel, ""]
    ).exclude(type=EventType.CUSTOMER_DELETED.value)
    if pain_only:
        events = events.filter(
            Q(type__in=[t.value for t in PAIN_POINTS])
            | Q(type__in=[t.value for t in REVIEWS], payload__rating__lte=2)
        )
    latest = (
        events.annotate(
            rank=Window(
                RowNumber(),
                partition_by=F("customer_id"),
                order_by=(F("occurred_at").desc(), F("id").desc()),
            )
        )
        .filter(rank__lte=limit)
        .order_by("customer_id", "rank")
    )
    found: dict[int, list[JourneyEvent]] = defaultdict(list)
    for event in latest:
        # Never None here: the customer_id filter above matched it.
        found[cast(int, event.customer_id)].append(event)
    return found
