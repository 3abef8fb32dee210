"""Reviews: the channel's for staff (``reviews``), a customer's own in
``myLoyalty`` and ``customerLoyalty``."""

import graphene
from graphene.types.datetime import DateTime

from ..reviews import listing
from .cursors import decode_cursor, encode_cursor
from .errors import InvalidArgument
from .resolvers import check_page_size


class Review(graphene.ObjectType):
    review_id = graphene.String(
        required=True, description="The review service's id for it."
    )
    rating = graphene.Int(required=True, description="1 to 5.")
    title = graphene.String(required=True)
    body = graphene.String(required=True)
    email = graphene.String(
        required=True, description="The reviewer's email; empty after an erasure."
    )
    verified = graphene.Boolean(
        required=True, description="Whether it is about a paid order of the reviewer."
    )
    product = graphene.String(
        required=True,
        description="The product, variant or SKU as the service named it.",
    )
    order = graphene.String(
        required=True, description="The order id or number as the service named it."
    )
    photos = graphene.Int(required=True, description="How many photos it has.")
    created_at = DateTime(
        required=True, description="The service's time of the version shown."
    )
    received_at = DateTime(
        required=True, description="When the plugin first received it."
    )
    version = graphene.Int(
        required=True, description="1 for the first version; each edit adds one."
    )


class ReviewPageInfo(graphene.ObjectType):
    has_next_page = graphene.Boolean(required=True)
    end_cursor = graphene.String()


class ReviewEdge(graphene.ObjectType):
    node = graphene.Field(Review, required=True)
    cursor = graphene.String(required=True)


class ReviewConnection(graphene.ObjectType):
    edges = graphene.NonNull(graphene.List(graphene.NonNull(ReviewEdge)))
    page_info = graphene.Field(ReviewPageInfo, required=True)


def resolve_reviews(info, rating, verified, first, after):
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
) -> ReviewConnection:
    """A page of the channel's reviews, or of ``customer``'s alone."""
    check_page_size(first)
    after_id = decode_cursor("review", after) if after else None
    found = listing.page(
        info.context.channel,
        first,
        after_id,
        rating=rating,
        verified=verified,
        customer=customer,
    )
    if found is None:
        raise InvalidArgument(
            "'after' is not a cursor this API returned.", field="after"
        )
    reviews, has_next = found
    return _connection(reviews, has_next)


def no_reviews(first: int, after: str | None) -> ReviewConnection:
    """The page of someone with no reviews: any cursor is not one of theirs."""
    check_page_size(first)
    if after:
        decode_cursor("review", after)
        raise InvalidArgument(
            "'after' is not a cursor this API returned.", field="after"
        )
    return _connection([], False)


def _connection(reviews: list, has_next: bool) -> ReviewConnection:
    edges = [ReviewEdge(node=r, cursor=encode_cursor("review", r.pk)) for r in reviews]
    return ReviewConnection(
        edges=edges,
        page_info=ReviewPageInfo(
            has_next_page=has_next,
            end_cursor=edges[-1].cursor if edges else None,
        ),
    )
