"""A drain batch's earnings, reversals and tier changes, posted set-wise.

The rules are ``earning.py``'s; only the bookkeeping differs. The batch's
accounts are locked (and created) in one statement, the entries of its orders
and the review keys it names are read in one, and the points each account
earned in the tier window are summed in one, at each time a rule asks for
them. The facts are then applied in order, in memory: what an earlier fact
of the batch wrote counts for the later ones exactly as if it were stored.
The new entries are inserted in one statement (in the facts' order, so their
ids are too), and the balances, tiers and spent earnings updated in one each.

A reversal that needs more than its own earning has left (its points spent
or expired, or the earning another customer's) may withdraw the customer's
codes through the host: it ends the run, is applied alone by
``earning.reverse_for_refund``, and the facts after it start a new run.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from . import earning
from .models import EntryKind, LedgerEntry, LoyaltyAccount
from .posting import report_tiers
from .settings import LoyaltySettings
from .standing import EARNED_KINDS, TIER_WINDOW, tier_of


@dataclass(frozen=True)
class Paid:
    channel: str
    customer: int
    order_id: str
    net_total: Decimal
    at: datetime


@dataclass(frozen=True)
class Refunded:
    channel: str
    customer: int
    order_id: str
    # What the order has had refunded so far, of ``order_total``.
    refunded: Decimal
    order_total: Decimal
    # Names the refund in the reversal's key.
    refund: str
    at: datetime


@dataclass(frozen=True)
class Reviewed:
    channel: str
    customer: int
    # The host's one id of the product bought.
    product: str
    review_id: str
    at: datetime


Fact = Paid | Refunded | Reviewed
_Account = tuple[str, int]


def post_facts(facts: list[Fact], settings: dict[str, LoyaltySettings]) -> None:
    """Apply the facts (oldest first) to the ledger, each exactly once;
    ``settings`` has each of their channels' loyalty settings."""
    while facts:
        run = _Run(facts, settings)
        taken = run.take(facts)
        run.write()
        if taken < len(facts):
            _alone(facts[taken], settings)
            taken += 1
        facts = facts[taken:]


def _alone(fact: Fact, settings: dict[str, LoyaltySettings]) -> None:
    assert isinstance(fact, Refunded)  # the only fact a run hands back
    earning.reverse_for_refund(
        fact.channel,
        fact.customer,
        fact.order_id,
        fact.refunded,
        fact.order_total,
        fact.refund,
        fact.at,
        settings[fact.channel],
    )


_CREATE_ACCOUNTS = f"""
INSERT INTO {LoyaltyAccount._meta.db_table} (channel, customer_id, balance, tier)
SELECT *, 0, '' FROM unnest(%s::varchar[], %s::bigint[])
ON CONFLICT (customer_id, channel) DO NOTHING
"""
_LOCK_ACCOUNTS = f"""
SELECT a.id, a.channel, a.customer_id, a.balance, a.tier
FROM {LoyaltyAccount._meta.db_table} AS a
JOIN unnest(%s::varchar[], %s::bigint[]) AS w(channel, customer_id)
  ON a.channel = w.channel AND a.customer_id = w.customer_id
ORDER BY a.customer_id, a.channel
FOR UPDATE OF a
"""
# What each (channel, customer, time) had earned in the tier window then.
_EARNED = f"""
SELECT coalesce((
    SELECT sum(e.points) FROM {LedgerEntry._meta.db_table} AS e
    WHERE e.channel = w.channel AND e.customer_id = w.customer_id
      AND e.kind = ANY(%s) AND e.occurred_at > w.since AND e.occurred_at <= w.at
), 0)
FROM unnest(%s::varchar[], %s::bigint[], %s::timestamptz[], %s::timestamptz[])
    WITH ORDINALITY AS w(channel, customer_id, since, at, n)
ORDER BY w.n
"""
_SPEND = f"""
UPDATE {LedgerEntry._meta.db_table} AS e SET remaining = e.remaining - v.taken
FROM unnest(%s::bigint[], %s::integer[]) AS v(id, taken) WHERE e.id = v.id
"""
_ACCOUNTS = f"""
UPDATE {LoyaltyAccount._meta.db_table} AS a
SET balance = a.balance + v.delta, tier = v.tier
FROM unnest(%s::bigint[], %s::integer[], %s::varchar[]) AS v(id, delta, tier)
WHERE a.id = v.id
"""


class _Run:
    """The ledger as a run of facts sees it, read once and written once."""

    def __init__(self, facts: list[Fact], settings: dict[str, LoyaltySettings]):
        self.settings = settings
        # One time for every tier refresh of the run: each is "now".
        self.now = timezone.now()
        self.accounts = _locked_accounts({(f.channel, f.customer) for f in facts})
        self.stored_tiers = {key: a.tier for key, a in self.accounts.items()}
        self.balance_moved: dict[_Account, int] = defaultdict(int)
        self.tier_changes: list[tuple[int, str, str]] = []
        self.keys: set[str] = set()
        self.earnings: dict[str, LedgerEntry] = {}
        self.reversals: dict[tuple[str, str], list[LedgerEntry]] = defaultdict(list)
        self._read_entries(facts)
        self.spent: dict[int, int] = defaultdict(int)
        self.new: list[LedgerEntry] = []
        # Earned-kind entries this run wrote, per account: (time, points).
        self.earned_here: dict[_Account, list[tuple[datetime, int]]] = defaultdict(list)
        times = {(f.channel, f.customer, f.at) for f in facts if isinstance(f, Paid)}
        times |= {(c, customer, self.now) for c, customer in self.accounts}
        self.earned_stored = _earned_at(sorted(times))

    def _read_entries(self, facts: list[Fact]) -> None:
        orders = {(f.channel, f.order_id) for f in facts if not isinstance(f, Reviewed)}
        keys = {_key(f) for f in facts}
        found = LedgerEntry.objects.filter(
            Q(idempotency_key__in=keys)
            | Q(
                channel__in={c for c, _ in orders},
                order_id__in={o for _, o in orders},
                kind__in=[EntryKind.EARN_ORDER, EntryKind.REVERSE_REFUND],
            )
        ).order_by("id")
        for entry in found:
            self.keys.add(entry.idempotency_key)
            if (entry.channel, entry.order_id) not in orders:
                continue
            if entry.kind == EntryKind.EARN_ORDER:
                self.earnings[entry.idempotency_key] = entry
            elif entry.kind == EntryKind.REVERSE_REFUND:
                self.reversals[(entry.channel, entry.order_id)].append(entry)

    def take(self, facts: list[Fact]) -> int:
        """Apply facts in memory until one must be applied alone; how many."""
        for taken, fact in enumerate(facts):
            if _key(fact) in self.keys:
                continue
            settings = self.settings[fact.channel]
            if isinstance(fact, Paid):
                self._paid(fact, settings)
            elif isinstance(fact, Reviewed):
                self._reviewed(fact, settings)
            elif not self._refunded(fact, settings):
                return taken
        return len(facts)

    def _paid(self, fact: Paid, settings: LoyaltySettings) -> None:
        account = (fact.channel, fact.customer)
        earned = self._earned(account, fact.at)
        points = earning.order_points(fact.net_total, settings, earned)
        if points <= 0:
            return
        entry = earning.order_earning(
            *account, fact.order_id, fact.net_total, points, settings, fact.at
        )
        self._write(entry)
        self.earnings[entry.idempotency_key] = entry
        # Refunds recorded before the order earned take back the largest share.
        largest = earning.largest_refund(self.reversals[(fact.channel, fact.order_id)])
        if largest is not None and largest.amount is not None:
            key = earning.refund_key(fact.channel, fact.order_id, earning.AT_EARNING)
            at = max(fact.at, largest.occurred_at)
            # Nothing was taken back from an order that had not earned: what
            # is owed is never more than the new earning holds.
            self._take_back(entry, largest.amount, largest.order_total, key, at)
        self._refresh_tier(account, settings)

    def _reviewed(self, fact: Reviewed, settings: LoyaltySettings) -> None:
        if settings.review_points <= 0:
            return
        self._write(
            earning.review_earning(
                fact.channel,
                fact.customer,
                fact.product,
                fact.review_id,
                settings,
                fact.at,
            )
        )
        self._refresh_tier((fact.channel, fact.customer), settings)

    def _refunded(self, fact: Refunded, settings: LoyaltySettings) -> bool:
        """Apply the refund; False if it must be applied alone."""
        key = _key(fact)
        account = self.accounts[(fact.channel, fact.customer)]
        earned = self.earnings.get(earning.order_key(fact.channel, fact.order_id))
        if earned is None:
            waiting = earning.reversal(
                account,
                fact.order_id,
                0,
                0,
                fact.refunded,
                fact.order_total,
                key,
                fact.at,
            )
            self._write(waiting)
            self.reversals[(fact.channel, fact.order_id)].append(waiting)
            return True
        if earned.customer_id != fact.customer or not self._take_back(
            earned, fact.refunded, fact.order_total, key, fact.at
        ):
            return False
        self._refresh_tier((fact.channel, fact.customer), settings)
        return True

    def _take_back(
        self,
        earned: LedgerEntry,
        refunded: Decimal,
        order_total: Decimal | None,
        key: str,
        at: datetime,
    ) -> bool:
        """Reverse what the refunded share owes from the order's own earning;
        False (nothing done) if the earning has too little left for it."""
        order = (earned.channel, earned.order_id)
        wanted = earning.owed(earned, refunded, order_total, self.reversals[order])
        if wanted <= 0:
            return True
        if wanted > earned.remaining:
            return False
        account = self.accounts[(earned.channel, earned.customer_id or 0)]
        entry = earning.reversal(
            account, earned.order_id, wanted, 0, refunded, order_total, key, at
        )
        earned.remaining -= wanted
        if earned.pk is not None:
            self.spent[earned.pk] += wanted
        self._write(entry)
        self.reversals[order].append(entry)
        return True

    def _write(self, entry: LedgerEntry) -> None:
        account = (entry.channel, entry.customer_id or 0)
        if entry.points > 0:
            entry.remaining = entry.points
        self.new.append(entry)
        self.keys.add(entry.idempotency_key)
        self.balance_moved[account] += entry.points
        self.accounts[account].balance += entry.points
        if entry.kind in EARNED_KINDS:
            self.earned_here[account].append((entry.occurred_at, entry.points))

    def _earned(self, account: _Account, at: datetime) -> int:
        """``standing.earned_in_window``, with this run's entries counted."""
        total = self.earned_stored[(*account, at)] + sum(
            points
            for occurred_at, points in self.earned_here[account]
            if at - TIER_WINDOW < occurred_at <= at
        )
        return max(total, 0)

    def _refresh_tier(self, account: _Account, settings: LoyaltySettings) -> None:
        """``posting.refresh_tier``: the tier now, told to the host if it changed."""
        found = self.accounts[account]
        name = tier_of(self._earned(account, self.now), settings.tiers).name
        if name != found.tier:
            found.tier = name
            self.tier_changes.append((found.customer_id, found.channel, name))

    def write(self) -> None:
        LedgerEntry.objects.bulk_create(self.new)
        with connection.cursor() as cursor:
            if self.spent:
                cursor.execute(_SPEND, [list(self.spent), list(self.spent.values())])
            changed = [
                account
                for key, account in self.accounts.items()
                if self.balance_moved[key] or account.tier != self.stored_tiers[key]
            ]
            if changed:
                cursor.execute(
                    _ACCOUNTS,
                    [
                        [a.pk for a in changed],
                        [
                            self.balance_moved[(a.channel, a.customer_id)]
                            for a in changed
                        ],
                        [a.tier for a in changed],
                    ],
                )
        if self.tier_changes:
            changes = self.tier_changes
            transaction.on_commit(lambda: report_tiers(changes))


def _key(fact: Fact) -> str:
    if isinstance(fact, Paid):
        return earning.order_key(fact.channel, fact.order_id)
    if isinstance(fact, Refunded):
        return earning.refund_key(fact.channel, fact.order_id, fact.refund)
    return earning.review_key(fact.channel, fact.customer, fact.product)


def _locked_accounts(wanted: set[_Account]) -> dict[_Account, LoyaltyAccount]:
    """The accounts, created if need be, locked (in customer order, as every
    lock of two accounts is taken) until the transaction ends."""
    ordered = sorted(wanted, key=lambda account: (account[1], account[0]))
    channels = [channel for channel, _ in ordered]
    customers = [customer for _, customer in ordered]
    with connection.cursor() as cursor:
        cursor.execute(_CREATE_ACCOUNTS, [channels, customers])
    return {
        (account.channel, account.customer_id): account
        for account in LoyaltyAccount.objects.raw(_LOCK_ACCOUNTS, [channels, customers])
    }


def _earned_at(
    times: list[tuple[str, int, datetime]],
) -> dict[tuple[str, int, datetime], int]:
    """The stored points each account earned in the tier window up to each time."""
    with connection.cursor() as cursor:
        cursor.execute(
            _EARNED,
            [
                [str(kind) for kind in EARNED_KINDS],
                [channel for channel, _, _ in times],
                [customer for _, customer, _ in times],
                [at - TIER_WINDOW for _, _, at in times],
                [at for _, _, at in times],
            ],
        )
        sums = [int(row[0]) for row in cursor.fetchall()]
    return dict(zip(times, sums, strict=True))
