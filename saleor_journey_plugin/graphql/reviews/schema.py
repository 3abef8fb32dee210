import graphene

from ..paging import page_size_arg
from ..permissions import MANAGE_USERS, PermissionsField
from . import resolvers
from .types import ReviewConnection


class ReviewQueries(graphene.ObjectType):
    reviews = PermissionsField(
        ReviewConnection,
        rating=graphene.Int(description="Only reviews of this rating, 1 to 5."),
        verified=graphene.Boolean(description="Only verified, or only unverified."),
        first=page_size_arg(),
        after=graphene.String(),
        permissions=[MANAGE_USERS],
        description="Reviews received in this channel, newest first.",
    )

    @staticmethod
    def resolve_reviews(root, info, first, rating=None, verified=None, after=None):
        return resolvers.resolve_reviews(info, rating, verified, first, after)
