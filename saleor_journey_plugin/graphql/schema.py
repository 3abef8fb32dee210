"""The journey API's schema: each domain's queries and mutations together."""

import graphene

from .campaigns.schema import CampaignQueries
from .customer_data.schema import CustomerDataMutations, CustomerDataQueries
from .journey.schema import JourneyMutations, JourneyQueries
from .loyalty.schema import LoyaltyMutations, LoyaltyQueries
from .reports.schema import ReportQueries
from .reviews.schema import ReviewQueries


# graphene collects fields from the last base to the first: the schema lists
# the journey's fields first, as it always has.
class Query(
    ReviewQueries,
    CampaignQueries,
    CustomerDataQueries,
    LoyaltyQueries,
    ReportQueries,
    JourneyQueries,
):
    pass


class Mutation(CustomerDataMutations, LoyaltyMutations, JourneyMutations):
    pass


schema = graphene.Schema(query=Query, mutation=Mutation)
