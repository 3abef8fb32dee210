"""The rules checked when a step is due, not only when it was scheduled.

``decide_all`` answers, for each message of a batch, one of: send (to whom,
with what), wait until a later time (the checkout changed, quiet hours, the
frequency cap), cancel (the campaign is over for this subject) or skip (this
customer gets no campaign email). What the rules read is loaded for the whole
batch first (``prefetch``: a handful of grouped queries), then each message is
decided in Python (``decide_one``).
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Max

from ..core.events import normalize_email
from ..core.host import ChannelSettings, Checkout, Host
from ..models import Customer
from . import audience
from . import settings as campaign_settings
from .kinds import CampaignKind, named
from .models import CampaignMessage, MessageStatus
from .settings import SUBSCRIBERS_ONLY
from .steps import Step

# An arbitrary key naming the frequency cap's per-customer advisory locks.
CAP_LOCK = 0x4A43


@dataclass(frozen=True)
class Send:
    email: str
    step: Step
    settings: ChannelSettings
    # Who the email goes to: the owner of ``email``, not necessarily the
    # customer the step was scheduled for (a checkout's address can change).
    customer: Customer
    checkout: Checkout | None = None


@dataclass(frozen=True)
class Wait:
    until: datetime
    reason: str


@dataclass(frozen=True)
class Stop:
    status: MessageStatus
    reason: str


Decision = Send | Wait | Stop


@dataclass
class Facts:
    """What the rules read for one batch of messages, loaded set-wise."""

    settings: dict[str, ChannelSettings | None] = field(default_factory=dict)
    # (customer id, channel) -> (unsubscribed, subscriber)
    standing: dict[tuple[int, str], audience.Standing] = field(default_factory=dict)
    # message id -> why the customer's own events end its campaign
    ended: dict[int, str] = field(default_factory=dict)
    checkouts: dict[str, Checkout | None] = field(default_factory=dict)
    # normalised address -> the accounts and guests whose own address it is
    holders: dict[str, list[Customer]] = field(default_factory=dict)
    # message id -> who its email would go to (absent: nobody holds the address)
    recipients: dict[int, Customer] = field(default_factory=dict)
    skipped_users: set[str] = field(default_factory=set)
    # customer id -> their latest campaign email claimed or sent
    last_sent: dict[int, datetime] = field(default_factory=dict)


def decide_all(
    messages: Sequence[CampaignMessage], now: datetime, host: Host
) -> dict[int, Decision]:
    """Each message's decision, in the order given (``due_at``, ``id``).

    Two messages of one customer in the batch: once the first is sent, the
    frequency cap holds the later one back, as if it had been claimed first.
    """
    facts = prefetch(messages, now, host)
    decisions: dict[int, Decision] = {}
    for message in messages:
        decision = decide_one(message, now, facts)
        decisions[message.pk] = decision
        if isinstance(decision, Send):
            facts.last_sent[decision.customer.pk] = now
    return decisions


def prefetch(messages: Sequence[CampaignMessage], now: datetime, host: Host) -> Facts:
    facts = Facts()
    for channel in sorted({m.channel for m in messages}):
        facts.settings[channel] = host.channel_settings(channel)
    live = [m for m in messages if _step(m, facts) is not None]
    facts.ended = _ended_all([m for m in live if m.customer_id is not None])
    tokens = sorted({m.subject for m in live if named(m.kind).needs_checkout})
    facts.checkouts = dict(host.read_checkouts(tokens)) if tokens else {}
    _find_recipients(live, facts)
    pairs = {(m.customer_id, m.channel) for m in live if m.customer_id is not None}
    for message in live:
        for holder in _addressees(message, facts):
            pairs.add((holder.pk, message.channel))
    facts.standing = audience.standing(pairs)
    user_ids = set()
    for message in live:
        user_ids.update(_user_ids(message, facts))
    facts.skipped_users = host.skipped_users(sorted(user_ids)) if user_ids else set()
    capped = sorted(
        {
            facts.recipients[m.pk].pk
            for m in live
            if m.pk in facts.recipients and _capped(facts.settings[m.channel])
        }
    )
    facts.last_sent = _last_sent(capped)
    return facts


def address(message: CampaignMessage, checkout: Checkout | None) -> str:
    """Where the email goes: the checkout's address (what the shopper typed,
    where the store sends the order confirmation too), else the customer's."""
    customer = message.customer
    return (
        (checkout.email if checkout else "")
        or (customer.email if customer else "")
        or message.email
    )


def _checkout(message: CampaignMessage, facts: Facts) -> Checkout | None:
    if not named(message.kind).needs_checkout:
        return None
    return facts.checkouts.get(message.subject)


def _find_recipients(live: Sequence[CampaignMessage], facts: Facts) -> None:
    """Each message's recipient: its customer when the address is their own,
    else the account or guest holding the address, else a new guest for it
    (only where the audience lets a customer with no record be sent to)."""
    # message id -> an address that is not its customer's own
    elsewhere: dict[int, str] = {}
    for message in live:
        customer = message.customer
        found = normalize_email(address(message, _checkout(message, facts)))
        if customer is None or not found:
            continue
        if found == customer.email:
            facts.recipients[message.pk] = customer
        else:
            elsewhere[message.pk] = found
    facts.holders = audience.holders(
        {customer.email for customer in facts.recipients.values()}
        | set(elsewhere.values())
    )
    unknown = {
        found
        for message in live
        if (found := elsewhere.get(message.pk, ""))
        and found not in facts.holders
        and campaign_settings.of(_settings(message, facts)).audience != SUBSCRIBERS_ONLY
        and _may_remind(message, facts)
    }
    if unknown:
        audience.add_guests(unknown)
        facts.holders.update(audience.holders(unknown))
    for message_id, found in elsewhere.items():
        if found in facts.holders:
            facts.recipients[message_id] = facts.holders[found][0]


def _may_remind(message: CampaignMessage, facts: Facts) -> bool:
    """Not over for its checkout already (a new guest is made only for an
    address a reminder may still go to)."""
    if not named(message.kind).needs_checkout:
        return True
    checkout = _checkout(message, facts)
    return checkout is not None and bool(checkout.lines) and not checkout.ordered


def _settings(message: CampaignMessage, facts: Facts) -> ChannelSettings:
    settings = facts.settings[message.channel]
    assert settings is not None  # a live message's channel has settings
    return settings


def _addressees(message: CampaignMessage, facts: Facts) -> list[Customer]:
    """Everyone whose consent a message's email needs: its recipient and the
    accounts and guests holding its address (an unsubscribe by any of them
    is the address's)."""
    recipient = facts.recipients.get(message.pk)
    if recipient is None:
        return []
    found = normalize_email(address(message, _checkout(message, facts)))
    others = [h for h in facts.holders.get(found, []) if h.pk != recipient.pk]
    return [recipient, *others]


def _user_ids(message: CampaignMessage, facts: Facts) -> set[str]:
    """The store users behind a message: its customer, its checkout's user
    and its recipient (any of them staff or inactive: no email)."""
    checkout = _checkout(message, facts)
    people = [message.customer, facts.recipients.get(message.pk)]
    ids = {person.user_id for person in people if person and person.user_id}
    if checkout and checkout.user_id:
        ids.add(checkout.user_id)
    return ids


def _capped(settings: ChannelSettings | None) -> bool:
    return bool(
        settings is not None and campaign_settings.of(settings).min_hours_between_emails
    )


def _step(message: CampaignMessage, facts: Facts) -> Step | None:
    settings = facts.settings[message.channel]
    kind = named(message.kind)
    if settings is None or kind not in campaign_settings.of(settings).enabled:
        return None
    steps = campaign_settings.of(settings).steps[kind]
    return steps[message.step - 1] if message.step <= len(steps) else None


def decide_one(message: CampaignMessage, now: datetime, facts: Facts) -> Decision:
    kind = named(message.kind)
    settings = facts.settings[message.channel]
    if settings is None or kind not in campaign_settings.of(settings).enabled:
        return Stop(MessageStatus.CANCELLED, "The campaign is off in this channel.")
    steps = campaign_settings.of(settings).steps[kind]
    if message.step > len(steps):
        return Stop(MessageStatus.CANCELLED, "The step was removed from the campaign.")
    step = steps[message.step - 1]
    customer = message.customer
    if customer is None:
        return Stop(MessageStatus.CANCELLED, "The customer was erased.")
    standing = facts.standing.get((customer.pk, message.channel), audience.NOBODY)
    if standing.unsubscribed:
        return Stop(MessageStatus.CANCELLED, "The customer unsubscribed.")
    ended = facts.ended.get(message.pk, "")
    if ended:
        return Stop(MessageStatus.CANCELLED, ended)
    checkout = None
    if kind.needs_checkout:
        checkout = facts.checkouts.get(message.subject)
        if checkout is None:
            return Stop(MessageStatus.CANCELLED, "The checkout was deleted.")
        if checkout.ordered:
            return Stop(MessageStatus.CANCELLED, "An order was placed from it.")
        if not checkout.lines:
            return Stop(MessageStatus.CANCELLED, "The checkout was emptied.")
        due = checkout.last_change + step.delay
        if due > now:
            return Wait(due, "The checkout changed since.")
    email = address(message, checkout)
    if not email:
        return Stop(MessageStatus.SKIPPED, "No email address.")
    campaigns = campaign_settings.of(settings)
    recipient = facts.recipients.get(message.pk)
    if recipient is None:
        # Nobody holds the address: no opt-in either (subscribers only).
        return Stop(
            MessageStatus.SKIPPED,
            "No marketing opt-in on record."
            if campaigns.audience == SUBSCRIBERS_ONLY
            else "Nobody holds the address.",
        )
    heard = [
        facts.standing.get((person.pk, message.channel), audience.NOBODY)
        for person in _addressees(message, facts)
    ]
    if any(person.unsubscribed for person in heard):
        return Stop(MessageStatus.CANCELLED, "The recipient unsubscribed.")
    if _user_ids(message, facts) & facts.skipped_users:
        return Stop(MessageStatus.SKIPPED, "Staff or inactive user.")
    if campaigns.audience == SUBSCRIBERS_ONLY and not any(
        person.subscriber for person in heard
    ):
        return Stop(MessageStatus.SKIPPED, "No marketing opt-in on record.")
    if campaigns.quiet_hours is not None:
        end = campaigns.quiet_hours.end_after(now, settings.time_zone)
        if end > now:
            return Wait(end, "Quiet hours.")
    if campaigns.min_hours_between_emails:
        last = facts.last_sent.get(recipient.pk)
        gap = timedelta(hours=campaigns.min_hours_between_emails)
        if last is not None and last + gap > now:
            return Wait(last + gap, "Frequency cap.")
    return Send(
        email=email,
        step=step,
        settings=settings,
        customer=recipient,
        checkout=checkout,
    )


def _ended_all(messages: Sequence[CampaignMessage]) -> dict[int, str]:
    """Why the customers' own events end each message's campaign (message id
    -> reason; absent: they do not). Each kind answers for its own messages."""
    by_kind: dict[CampaignKind, list[CampaignMessage]] = defaultdict(list)
    for message in messages:
        by_kind[named(message.kind)].append(message)
    ended: dict[int, str] = {}
    for kind, group in by_kind.items():
        ended.update(kind.ended(group))
    return ended


def _last_sent(customer_ids: list[int]) -> dict[int, datetime]:
    """Each customer's latest campaign email claimed or sent.

    Takes the customers' advisory locks first, in ascending order (two sweeps
    never wait on each other in a cycle), held to the end of the transaction:
    two sweeps claiming steps of one customer take turns, the second sees the
    first's claim.
    """
    if not customer_ids:
        return {}
    if connection.vendor == "postgresql":
        keys = sorted({customer_id % 2**31 for customer_id in customer_ids})
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(pg_advisory_xact_lock(%s, key)) "
                "FROM unnest(%s::int[]) AS key",
                [CAP_LOCK, keys],
            )
    rows = (
        CampaignMessage.objects.filter(
            customer_id__in=customer_ids,
            status__in=[MessageStatus.SENDING, MessageStatus.SENT],
        )
        .values("customer_id")
        .annotate(at=Max("sent_at"))
        .values_list("customer_id", "at")
    )
    return {customer_id: at for customer_id, at in rows if at is not None}
