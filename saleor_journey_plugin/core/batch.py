"""Applying many events with a handful of queries.

On a busy store most events belong to customers who already exist and need no
merge; for those, customers and journeys are loaded and written set-wise and
only the stage rules run per event. An event that would rewrite a customer
(a guest to merge, an erasure, a changed email) ends the run and is applied
alone, so events still apply in order.
"""

from collections.abc import Iterable, Sequence

from django.db.models import Q

from ..models import Customer, Journey, JourneyEvent, StageTransition
from .events import EventType, normalize_email
from .host import get_host
from .processing import advance_journey, apply_rewriting_event, mark_processed

JOURNEY_FIELDS = [
    "stage",
    "stage_entered_at",
    "paid_orders",
    "lapse_clock_from",
    "updated_at",
]


def apply_events(events: Sequence[JourneyEvent]) -> list[Journey]:
    """Apply ``events`` (locked, oldest first); return journeys whose stage changed."""
    changed: dict[int, Journey] = {}
    start = 0
    while start < len(events):
        customers = _Customers(events[start:])
        end = start
        while end < len(events) and customers.is_plain(events[end]):
            end += 1
        if end > start:
            changed.update(_apply_run(events[start:end], customers))
        if end < len(events):
            event = events[end]
            changed.update((j.pk, j) for j in apply_rewriting_event(event))
            mark_processed([event])
            end += 1
        start = end
    return list(changed.values())


class _Customers:
    """The customers a run of events names, looked up in two queries."""

    def __init__(self, events: Iterable[JourneyEvent]) -> None:
        user_ids = {e.user_id for e in events if e.user_id}
        emails = {normalize_email(e.email) for e in events if e.email}
        self.by_user: dict[str, Customer] = {}
        self.users_by_email: dict[str, Customer] = {}
        self.guests: dict[str, Customer] = {}
        self.by_id: dict[int, Customer] = {}
        found = Customer.objects.filter(Q(user_id__in=user_ids) | Q(email__in=emails))
        for customer in found:
            self._remember(customer)

    def _remember(self, customer: Customer) -> None:
        self.by_id[customer.pk] = customer
        if customer.user_id:
            self.by_user[customer.user_id] = customer
            if customer.email:
                self.users_by_email.setdefault(customer.email, customer)
        elif customer.email:
            self.guests[customer.email] = customer

    def is_plain(self, event: JourneyEvent) -> bool:
        """True when applying the event changes no customer record."""
        if event.type == EventType.CUSTOMER_DELETED.value:
            return False
        if event.customer_id or not event.user_id:
            return True
        email = normalize_email(event.email)
        if email and email in self.guests:
            return False  # the account claims or absorbs a guest
        customer = self.by_user.get(event.user_id)
        return customer is None or not email or customer.email == email

    def owner(self, event: JourneyEvent) -> Customer | None:
        if event.customer_id:
            return self.by_id.get(event.customer_id) or Customer(pk=event.customer_id)
        email = normalize_email(event.email)
        if event.user_id:
            return self.by_user.get(event.user_id)
        if not email:
            return None
        return self.users_by_email.get(email) or self.guests.get(email)

    def create_missing(self, events: Iterable[JourneyEvent]) -> None:
        """Insert the customers these events need; a concurrent insert wins."""
        users: dict[str, str] = {}
        guests: set[str] = set()
        for event in events:
            if event.customer_id or self.owner(event) is not None:
                continue
            if event.user_id:
                users.setdefault(event.user_id, normalize_email(event.email))
            elif event.email:
                guests.add(normalize_email(event.email))
        if not users and not guests:
            return
        Customer.objects.bulk_create(
            [Customer(user_id=u, email=e) for u, e in users.items()]
            + [Customer(email=e) for e in guests],
            ignore_conflicts=True,
        )
        created = Customer.objects.filter(
            Q(user_id__in=users) | Q(email__in=guests, user_id__isnull=True)
        )
        for customer in created:
            self._remember(customer)


def _apply_run(
    events: Sequence[JourneyEvent], customers: _Customers
) -> dict[int, Journey]:
    customers.create_missing(events)
    active_channels: list[str] | None = None
    targets: list[tuple[JourneyEvent, Customer | None, list[str]]] = []
    for event in events:
        if event.channel:
            channels = [event.channel]
        else:
            if active_channels is None:
                active_channels = get_host().active_channels()
            channels = active_channels
        targets.append((event, customers.owner(event), channels))

    journeys = _lock_journeys(
        {(c.pk, ch) for _, c, chs in targets if c is not None for ch in chs}
    )
    touched: dict[int, Journey] = {}
    changed: dict[int, Journey] = {}
    transitions: list[StageTransition] = []
    for event, customer, channels in targets:
        event.customer_id = customer.pk if customer else None
        if customer is None:
            continue
        for channel in channels:
            journey = journeys[(customer.pk, channel)]
            was_touched, transition = advance_journey(journey, event)
            if was_touched:
                touched[journey.pk] = journey
            if transition:
                transitions.append(transition)
                changed[journey.pk] = journey
            if event.channel:
                event.stage = journey.stage or ""

    StageTransition.objects.bulk_create(transitions)
    Journey.objects.bulk_update(list(touched.values()), JOURNEY_FIELDS)
    mark_processed(list(events))
    return changed


def _lock_journeys(pairs: set[tuple[int, str]]) -> dict[tuple[int, str], Journey]:
    if not pairs:
        return {}

    def load() -> dict[tuple[int, str], Journey]:
        match = Q(pk__in=[])
        for customer_id, channel in pairs:
            match |= Q(customer_id=customer_id, channel=channel)
        rows = Journey.objects.select_for_update().filter(match).order_by("pk")
        return {(j.customer_id, j.channel): j for j in rows}

    journeys = load()
    missing = pairs - journeys.keys()
    if missing:
        Journey.objects.bulk_create(
            [Journey(customer_id=c, channel=ch) for c, ch in missing],
            ignore_conflicts=True,
        )
        journeys = load()
    return journeys
