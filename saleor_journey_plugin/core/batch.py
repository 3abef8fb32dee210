"""Applying many events with a handful of queries.

On a busy store most events belong to customers who already exist and need no
merge; for those, customers and journeys are loaded and written set-wise and
only the stage rules run per event. An event that would rewrite a customer
(a visitor to absorb, an erasure, an account fact that may move an address or
merge a guest) ends the run and is applied
alone, so events still apply in order.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from functools import cached_property

from django.db.models import Q

from ..models import Customer, Journey, JourneyEvent, StageTransition
from . import timeline
from .advancing import advance_journey
from .bulk import mark_processed, save_journeys
from .events import ACCOUNT_FACTS, EventType, normalize_email
from .host import get_host
from .rewriting import apply_rewriting_event

_ACCOUNT_FACTS = {event_type.value for event_type in ACCOUNT_FACTS}


def apply_events(events: Sequence[JourneyEvent]) -> list[Journey]:
    """Apply ``events`` (locked, oldest first); return journeys whose stage changed."""
    for event in events:
        EventType(event.type)  # an unknown type fails here, and then alone
    events = list(events)
    changed: dict[int, Journey] = {}
    start = 0
    while start < len(events):
        customers = _Customers(events[start:])
        end = start
        while end < len(events) and customers.take(events[end]):
            end += 1
        if end > start:
            changed.update(_apply_run(events[start:end], customers))
        if end < len(events):
            event = events[end]
            changed.update((j.pk, j) for j in apply_rewriting_event(event))
            mark_processed([event])
            end += 1
            # A rewrite changed later events in the table: a merge moved the
            # guest's ones (a lapse check names its customer) to the account,
            # an erasure blanked the person's. Applied as loaded, they would
            # name a deleted customer or bring the person back.
            events[end:] = _reloaded(events[end:])
        start = end
    return list(changed.values())


def _reloaded(events: list[JourneyEvent]) -> list[JourneyEvent]:
    fresh = JourneyEvent.objects.in_bulk([event.pk for event in events])
    return [fresh[event.pk] for event in events]


class _Customers:
    """The customers a run of events names, looked up in two queries."""

    def __init__(self, events: Iterable[JourneyEvent]) -> None:
        user_ids = {e.user_id for e in events if e.user_id}
        visitor_ids = {e.visitor_id for e in events if e.visitor_id}
        emails = {normalize_email(e.email) for e in events if e.email}
        self.by_user: dict[str, Customer] = {}
        self.users_by_email: dict[str, Customer] = {}
        self.guests: dict[str, Customer] = {}
        self.visitors: dict[str, Customer] = {}
        # Accounts (with the email their account fact gives), guests and
        # visitors (with the email they typed) this run will create.
        self.new_users: dict[str, str] = {}
        self.new_guests: set[str] = set()
        self.new_visitors: dict[str, str] = {}
        # Existing accounts (by pk) an account fact of this run gives a new
        # address, and every address a fact of this run gives (-> user id).
        self.new_addresses: dict[int, str] = {}
        self.addresses_given: dict[str, str] = {}
        found = Customer.objects.filter(
            Q(user_id__in=user_ids)
            | Q(visitor_id__in=visitor_ids)
            | Q(email__in=emails, visitor_id__isnull=True)
        )
        for customer in found:
            self._remember(customer)

    def _remember(self, customer: Customer) -> None:
        if customer.user_id:
            self.by_user[customer.user_id] = customer
            if customer.email:
                self.users_by_email.setdefault(customer.email, customer)
        elif customer.visitor_id:
            self.visitors[customer.visitor_id] = customer
        elif customer.email:
            self.guests[customer.email] = customer

    def take(self, event: JourneyEvent) -> bool:
        """Add the event to the run if applying it rewrites no customer record."""
        if event.type == EventType.CUSTOMER_DELETED.value:
            return False
        email = normalize_email(event.email)
        if event.customer_id:
            return True
        if event.visitor_id and not event.user_id:
            return self._take_visitor(event.visitor_id, email)
        if event.visitor_id and (
            event.visitor_id in self.visitors or event.visitor_id in self.new_visitors
        ):
            return False  # the account absorbs the visitor
        if not event.user_id:
            if email and self.owner(event) is None:
                self.new_guests.add(email)
            return True
        if event.type in _ACCOUNT_FACTS:
            return self._take_account_fact(event, email)
        # Any other event of an account (a checkout naming any address) names
        # its account by user id alone: it renames and merges nothing.
        if event.user_id not in self.by_user:
            self.new_users.setdefault(event.user_id, "")
        return True

    def _take_account_fact(self, event: JourneyEvent, email: str) -> bool:
        """An account fact joins the run when all it does is give the account
        an address that no guest and no other account holds (or keep the one
        it has): written set-wise with the run. One that may merge a guest with
        the address, or move the address from another account, is applied
        alone."""
        if email:
            if email in self.guests or email in self.new_guests:
                return False
            holder = self.users_by_email.get(email)
            if holder is not None and holder.user_id != event.user_id:
                return False
            if self.addresses_given.get(email, event.user_id) != event.user_id:
                return False
        account = self.by_user.get(event.user_id)
        if account is None:
            given = self.new_users.get(event.user_id, "")
            if given and email and given != email:
                return False
            self.new_users[event.user_id] = email or given
        elif email and account.email != email:
            if self.new_addresses.get(account.pk, email) != email:
                return False
            self.new_addresses[account.pk] = email
        if email:
            self.addresses_given[email] = event.user_id
        return True

    def _take_visitor(self, visitor_id: str, email: str) -> bool:
        visitor = self.visitors.get(visitor_id)
        known_email = visitor.email if visitor else self.new_visitors.get(visitor_id)
        if known_email is None:
            self.new_visitors[visitor_id] = email
            return True
        # A new address typed by the visitor is written by the one-by-one path.
        return not email or email == known_email

    def owner(self, event: JourneyEvent) -> int | None:
        """The id of the event's customer, if it exists yet."""
        if event.customer_id:
            return event.customer_id
        email = normalize_email(event.email)
        if event.user_id:
            customer = self.by_user.get(event.user_id)
        elif event.visitor_id:
            customer = self.visitors.get(event.visitor_id)
        elif email:
            customer = self.users_by_email.get(email) or self.guests.get(email)
        else:
            customer = None
        return customer.pk if customer else None

    def write_addresses(self) -> None:
        """Give existing accounts the addresses the run's account facts name."""
        accounts = [
            customer
            for customer in self.by_user.values()
            if customer.pk in self.new_addresses
        ]
        for account in accounts:
            if self.users_by_email.get(account.email) is account:
                del self.users_by_email[account.email]
            account.email = self.new_addresses[account.pk]
            self.users_by_email[account.email] = account
        Customer.objects.bulk_update(accounts, ["email"])

    def create_missing(self, events: Iterable[JourneyEvent]) -> None:
        """Insert the customers these events need; a concurrent insert wins."""
        users: dict[str, str] = {}
        visitors: dict[str, str] = {}
        guests: set[str] = set()
        for event in events:
            if event.customer_id or self.owner(event) is not None:
                continue
            email = normalize_email(event.email)
            if event.user_id:
                users.setdefault(event.user_id, self.new_users.get(event.user_id, ""))
            elif event.visitor_id:
                visitors.setdefault(event.visitor_id, email)
            elif email:
                guests.add(email)
        # An email-only event for an account created in this run belongs to it.
        guests -= set(users.values())
        if not users and not visitors and not guests:
            return
        Customer.objects.bulk_create(
            [Customer(user_id=u, email=e) for u, e in users.items()]
            + [Customer(visitor_id=v, email=e) for v, e in visitors.items()]
            + [Customer(email=e) for e in guests],
            ignore_conflicts=True,
        )
        created = Customer.objects.filter(
            Q(user_id__in=users)
            | Q(visitor_id__in=visitors)
            | Q(email__in=guests, user_id__isnull=True, visitor_id__isnull=True)
        )
        for customer in created:
            self._remember(customer)


def _apply_run(
    events: Sequence[JourneyEvent], customers: _Customers
) -> dict[int, Journey]:
    customers.write_addresses()
    customers.create_missing(events)
    owners = [customers.owner(event) for event in events]
    run = _Run({owner for owner in owners if owner is not None})
    for event, owner in zip(events, owners, strict=True):
        event.customer_id = owner
        if owner is None:
            continue
        if event.channel:
            journey = run.journey(owner, event.channel)
            run.advance(journey, event)
            event.stage = journey.stage or ""
        else:
            if event.type == EventType.ACCOUNT_CREATED.value:
                for channel in run.new_account_channels:
                    run.journey(owner, channel)
            for journey in run.journeys_of(owner):
                run.advance(journey, event)
            run.customer_wide[owner].append(event)
    run.save()
    mark_processed(list(events))
    return run.changed


class _Run:
    """The journeys a run of events touches, held (and locked) in memory."""

    def __init__(self, customer_ids: set[int]) -> None:
        self.journeys: dict[tuple[int, str], Journey] = {
            (j.customer_id, j.channel): j
            for j in Journey.objects.select_for_update()
            .filter(customer_id__in=customer_ids)
            .order_by("pk")
        }
        self.customer_wide = _earlier_customer_wide_events(customer_ids)
        self.new: list[Journey] = []
        self.touched: dict[int, Journey] = {}
        self.changed: dict[int, Journey] = {}
        self.transitions: list[StageTransition] = []

    def journey(self, customer_id: int, channel: str) -> Journey:
        journey = self.journeys.get((customer_id, channel))
        if journey is None:
            # A customer's first event in a channel: the journey starts with the
            # customer-wide events (an account created) that came before it.
            journey = Journey(customer_id=customer_id, channel=channel)
            self.journeys[(customer_id, channel)] = journey
            self.new.append(journey)
            for earlier in self.customer_wide[customer_id]:
                self.advance(journey, earlier)
        return journey

    @cached_property
    def new_account_channels(self) -> list[str]:
        return get_host().new_account_channels()

    def journeys_of(self, customer_id: int) -> list[Journey]:
        return [j for (c, _), j in self.journeys.items() if c == customer_id]

    def advance(self, journey: Journey, event: JourneyEvent) -> None:
        touched, transition = advance_journey(journey, event)
        if touched:
            self.touched[id(journey)] = journey
        if transition:
            self.transitions.append(transition)
            self.changed[id(journey)] = journey

    def save(self) -> None:
        new_ids = {id(j) for j in self.new}
        Journey.objects.bulk_create(self.new)
        save_journeys([j for key, j in self.touched.items() if key not in new_ids])
        StageTransition.objects.bulk_create(self.transitions)
        self.changed = {j.pk: j for j in self.changed.values()}
        timeline.refresh(self.changed)


def _earlier_customer_wide_events(
    customer_ids: set[int],
) -> dict[int, list[JourneyEvent]]:
    found: dict[int, list[JourneyEvent]] = defaultdict(list)
    events = JourneyEvent.objects.filter(
        customer_id__in=customer_ids, channel="", processed_at__isnull=False
    ).order_by("occurred_at", "id")
    for event in events:
        found[event.customer_id or 0].append(event)
    return found
