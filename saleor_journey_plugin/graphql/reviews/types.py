"""Reviews: the channel's for staff (``reviews``), a customer's own in
``myLoyalty`` and ``customerLoyalty``."""

import graphene
from graphene.types.datetime import DateTime

from ..paging import connection_type


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


ReviewConnection = connection_type("Review", Review, page_info="ReviewPageInfo")
