"""The webhooks the app subscribes to, each asking only for what the
translation (``translate.py``) reads.

Every event Saleor 3.23 emits that the journey uses, as async webhooks. Each
names its ``__typename``, so a delivery cannot be replayed as another event.
"""

from dataclasses import dataclass

CHECKOUT = """
fragment JourneyCheckout on Checkout {
  token
  email
  quantity
  user { id }
  channel { slug }
  shippingAddress { id }
  delivery { id }
}
"""
ORDER = """
fragment JourneyOrder on Order {
  id
  status
  origin
  created
  userEmail
  user { id }
  channel { slug }
  checkoutId
  voucherCode
  total { gross { amount currency } net { amount } }
  totalRefunded { amount }
  discounts { type total { amount } }
  lines { discounts { type total { amount } } }
}
"""
USER = """
fragment JourneyUser on User {
  id
  email
  isConfirmed
  dateJoined
  updatedAt
}
"""


@dataclass(frozen=True)
class Subscription:
    event: str  # Saleor's WebhookEventTypeAsyncEnum name
    typename: str  # the payload's event.__typename
    field: str  # the object the event carries ("checkout", "order", "user")
    fragment: str

    @property
    def path(self) -> str:
        return self.event.lower().replace("_", "-")

    @property
    def query(self) -> str:
        fragment_name = self.fragment.split()[1]
        selection = f"{self.field} {{ ...{fragment_name} }}" if self.field else ""
        return (
            "subscription { event { __typename issuedAt "
            f"... on {self.typename} {{ {selection} }} }} }}" + self.fragment
        )


def _checkout(event: str, typename: str) -> Subscription:
    return Subscription(event, typename, "checkout", CHECKOUT)


def _order(event: str, typename: str) -> Subscription:
    return Subscription(event, typename, "order", ORDER)


def _user(event: str, typename: str) -> Subscription:
    return Subscription(event, typename, "user", USER)


APP_DELETED = Subscription(
    "APP_DELETED",
    "AppDeleted",
    "app",
    "fragment JourneyApp on App { id }",
)

SUBSCRIPTIONS: tuple[Subscription, ...] = (
    _checkout("CHECKOUT_CREATED", "CheckoutCreated"),
    _checkout("CHECKOUT_UPDATED", "CheckoutUpdated"),
    _checkout("CHECKOUT_FULLY_PAID", "CheckoutFullyPaid"),
    _order("ORDER_CREATED", "OrderCreated"),
    _order("ORDER_FULLY_PAID", "OrderFullyPaid"),
    _order("ORDER_FULFILLED", "OrderFulfilled"),
    _order("ORDER_CANCELLED", "OrderCancelled"),
    _order("ORDER_REFUNDED", "OrderRefunded"),
    # The last refund's own event: same keys as ORDER_REFUNDED's, one effect.
    _order("ORDER_FULLY_REFUNDED", "OrderFullyRefunded"),
    _user("CUSTOMER_CREATED", "CustomerCreated"),
    _user("CUSTOMER_UPDATED", "CustomerUpdated"),
    _user("ACCOUNT_CONFIRMED", "AccountConfirmed"),
    _user("ACCOUNT_EMAIL_CHANGED", "AccountEmailChanged"),
    _user("ACCOUNT_DELETED", "AccountDeleted"),
    _user("CUSTOMER_DELETED", "CustomerDeleted"),
    APP_DELETED,
)
BY_PATH = {subscription.path: subscription for subscription in SUBSCRIPTIONS}
