from typing import Any

from ...reviews import listing
from ..errors import InvalidArgument
from ..paging import check_page_size, connection, decode_cursor, not_a_cursor

CURSOR_KIND = "review"


def resolve_reviews(info, rating, verified, first, after) -> dict[str, Any]:
    if rating is not None and not 1 <= rating <= 5:
        raise InvalidArgument(
            f"'rating' must be between 1 and 5, got {rating}.", field="rating"
        )
    return review_page(info, first, after, rating=rating, verified=verified)


def review_page(
    info,
    first: int,
    after: str | None,
    *,
    rating: int | None = None,
    verified: bool | None = None,
    customer: int | None = None,
) -> dict[str, Any]:
    """A page of the channel's reviews, or of ``customer``'s alone."""
    check_page_size(first)
    after_id = decode_cursor(CURSOR_KIND, after) if after else None
    found = listing.page(
        info.context.channel,
        first,
        after_id,
        rating=rating,
        verified=verified,
        customer=customer,
    )
    if found is None:
        raise not_a_cursor()
    reviews, has_next = found
    return connection(reviews, has_next, CURSOR_KIND)


def no_reviews(first: int, after: str | None) -> dict[str, Any]:
    """The page of someone with no reviews: any cursor is not one of theirs."""
    check_page_size(first)
    if after:
        decode_cursor(CURSOR_KIND, after)
        raise not_a_cursor()
    return connection([], False, CURSOR_KIND)
