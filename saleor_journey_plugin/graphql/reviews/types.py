"""Reviews: the channel's for staff (``reviews``), a customer's own in
``myLoyalty`` and ``customerLoyalty``."""

import graphene
from graphene.types.datetime import DateTime


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
