from typing import Any

from ...core import queries
from ...loyalty import history, ledger
from ..customer_lookup import identified_customer
from ..paging import check_page_size, connection, decode_cursor, not_a_cursor
from ..reviews.resolvers import no_reviews, review_page

CURSOR_KIND = "ledger"


def resolve_history(
    info, customer: int | None, first: int, after: str | None
) -> dict[str, Any]:
    """A page of ``customer``'s ledger in the channel, newest first."""
    check_page_size(first)
    after_id = decode_cursor(CURSOR_KIND, after) if after else None
    if customer is None:
        # Never seen: no entries, so no cursor is one of theirs.
        if after_id is not None:
            raise not_a_cursor()
        return connection([], False, CURSOR_KIND)
    found = history.page(info.context.channel, customer, first, after_id)
    if found is None:
        raise not_a_cursor()
    entries, has_next = found
    return connection(entries, has_next, CURSOR_KIND)


def resolve_reviews(
    info, customer: int | None, first: int, after: str | None
) -> dict[str, Any]:
    """A page of ``customer``'s own reviews in the channel."""
    if customer is None:
        return no_reviews(first, after)
    return review_page(info, first, after, customer=customer)


def resolve_my_loyalty(info):
    """The viewer's standing; None where the channel has loyalty off."""
    context = info.context
    settings = context.settings.loyalty
    if settings is None or not settings.enabled:
        return None
    customer = queries.find_customer(user_id=context.viewer.user_id)
    if customer is None:
        # Never seen: nothing earned, which is the first tier's standing.
        standing = ledger.Standing(
            balance=0,
            tier=ledger.tier_of(0, settings.tiers),
            earned_in_window=0,
            points_to_next_tier=ledger.points_to_next_tier(0, settings.tiers),
            expiring_soon=0,
        )
        return None, standing
    return customer.pk, ledger.standing(context.channel, customer.pk, settings)


def resolve_customer_loyalty(info, email: str | None, user_id: str | None):
    """A customer's standing for staff; None for someone the plugin does not
    know, or where the host offers no loyalty program.

    Shown while the channel has loyalty off too: the balances are still owed.
    """
    customer = identified_customer(email, user_id)
    settings = info.context.settings.loyalty
    if customer is None or settings is None:
        return None
    return customer.pk, ledger.standing(info.context.channel, customer.pk, settings)
