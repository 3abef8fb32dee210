"""What the backfill asks Saleor for: the webhooks' own fragments (so the
translation reads the same fields) plus the times Saleor's records show."""

from ..webhooks.subscriptions import CHECKOUT, ORDER, USER

PAGE_SIZE = 100

CUSTOMERS = (
    """
query JourneyBackfillCustomers(
  $first: Int!, $after: String, $where: CustomerWhereInput, $sort: UserSortField!
) {
  customers(first: $first, after: $after, where: $where,
            sortBy: {field: $sort, direction: ASC}) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { ...JourneyUser isStaff } }
  }
}
"""
    + USER
)
CHECKOUTS = (
    """
query JourneyBackfillCheckouts(
  $first: Int!, $after: String, $channel: String, $filter: CheckoutFilterInput
) {
  checkouts(first: $first, after: $after, channel: $channel, filter: $filter,
            sortBy: {field: CREATION_DATE, direction: ASC}) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { ...JourneyCheckout created lastChange chargeStatus } }
  }
}
"""
    + CHECKOUT
)
ORDERS = (
    """
query JourneyBackfillOrders(
  $first: Int!, $after: String, $channel: String, $where: OrderWhereInput
) {
  orders(first: $first, after: $after, channel: $channel, where: $where,
         sortBy: {field: CREATED_AT, direction: ASC}) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      node {
        ...JourneyOrder
        updatedAt
        chargeStatus
        events { type date }
        fulfillments { status created }
        payments { transactions { kind isSuccess created } }
        transactions { events { type createdAt } }
      }
    }
  }
}
"""
    + ORDER
)
