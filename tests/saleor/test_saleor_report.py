"""journeyReport inside a real Saleor: orders from checkoutComplete, staff tokens."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from saleor.graphql.tests.utils import get_graphql_content
from saleor.plugins.manager import get_plugins_manager
from test_saleor_backfill import ORDER_REFUND, _order_id

REPORT = """
query ($from: Date!, $to: Date!) {
  journeyReport(from: $from, to: $to) {
    channel timeZone currency
    kpis {
      checkoutsStarted checkoutsConverted cartAbandonmentRate
      orders buyers revenue { amount currency } averageOrderValue { amount currency }
    }
    funnel { entered steps { label customers dropOff } }
  }
}
"""


def _announced(checkout):
    """The checkout as Saleor's checkout mutations leave it: announced to plugins.

    ``ready_checkout`` builds it with Saleor's helpers, which do not call the
    plugin manager; checkoutCreate and checkoutLinesAdd do, with this call.
    """
    get_plugins_manager(allow_replica=False).checkout_updated(checkout)
    return checkout


def _period():
    today = timezone.now().date()
    return {
        "from": str(today - timedelta(days=1)),
        "to": str(today + timedelta(days=2)),
    }


def test_staff_with_manage_orders_see_the_orders_saleor_placed(
    journey_active,
    channel_USD,
    customer_user,
    user_api_client,
    api_client,
    staff_user,
    permission_manage_orders,
    ready_checkout,
    complete_checkout,
    journey_api,
    access_token,
    django_capture_on_commit_callbacks,
):
    # given: a customer and a guest each complete a checkout with Saleor's
    # checkoutComplete (two units for the guest), and the customer leaves a
    # third checkout unfinished
    with django_capture_on_commit_callbacks(execute=True):
        mine = _announced(ready_checkout(user=customer_user))
        guests = _announced(ready_checkout(email="guest@example.com", quantity=2))
        _announced(ready_checkout(user=customer_user))
    _, first = complete_checkout(user_api_client, mine)
    _, second = complete_checkout(api_client, guests)
    staff_user.user_permissions.add(permission_manage_orders)

    # when staff with MANAGE_ORDERS ask for the days around today
    response = journey_api(
        channel_USD.slug, REPORT, _period(), token=access_token(staff_user)
    )

    # then: Saleor's own order totals, rounded to cents, make the revenue
    assert response.status_code == 200
    totals = [first.total_gross_amount, second.total_gross_amount]
    assert first.total_gross_amount < second.total_gross_amount
    revenue = sum(totals, Decimal(0)).quantize(Decimal("0.01"))
    average = (revenue / 2).quantize(Decimal("0.01"))
    assert response.json() == {
        "data": {
            "journeyReport": {
                "channel": channel_USD.slug,
                "timeZone": "UTC",
                "currency": channel_USD.currency_code,
                "kpis": {
                    # three checkouts got a line, two became orders
                    "checkoutsStarted": 3,
                    "checkoutsConverted": 2,
                    "cartAbandonmentRate": "0.3333333333333333333333333333",
                    "orders": 2,
                    "buyers": 2,
                    "revenue": {"amount": str(revenue), "currency": "USD"},
                    "averageOrderValue": {"amount": str(average), "currency": "USD"},
                },
                # both entered today: the customer with their account, the
                # guest with their checkout; both reached PURCHASE with their
                # order (the checkouts had a shipping address: CONSIDERATION)
                "funnel": {
                    "entered": 2,
                    "steps": [
                        {"label": "Awareness", "customers": 2, "dropOff": 0},
                        {"label": "Interest", "customers": 2, "dropOff": 0},
                        {"label": "Consideration", "customers": 2, "dropOff": 0},
                        {"label": "Purchase", "customers": 2, "dropOff": 0},
                        {"label": "Retention", "customers": 0, "dropOff": 2},
                        {"label": "Loyalty", "customers": 0, "dropOff": 0},
                    ],
                },
            }
        }
    }


def test_staff_without_manage_orders_are_denied_the_report(
    journey_active,
    channel_USD,
    staff_user,
    permission_manage_users,
    journey_api,
    access_token,
):
    # given: staff who may manage users, not orders
    staff_user.user_permissions.add(permission_manage_users)

    # when
    response = journey_api(
        channel_USD.slug, REPORT, _period(), token=access_token(staff_user)
    )

    # then
    assert response.status_code == 200
    assert response.json() == {
        "data": {"journeyReport": None},
        "errors": [
            {
                "message": "You need one of the following permissions: MANAGE_ORDERS",
                "locations": [{"line": 3, "column": 3}],
                "path": ["journeyReport"],
                "extensions": {"exception": {"code": "PermissionDenied"}},
            }
        ],
    }


REVENUE = """
query ($from: Date!, $to: Date!) {
  journeyReport(from: $from, to: $to) { kpis { revenue { amount currency } } }
}
"""


def test_revenue_is_the_total_less_a_partial_refund_made_in_saleor(
    journey_active,
    channel_USD,
    customer_user,
    user_api_client,
    staff_api_client,
    staff_user,
    permission_group_manage_orders,
    ready_checkout,
    complete_checkout,
    journey_api,
    access_token,
    django_capture_on_commit_callbacks,
):
    # given: a paid order
    permission_group_manage_orders.user_set.add(staff_user)
    capture = django_capture_on_commit_callbacks
    with capture(execute=True):
        _, order = complete_checkout(
            user_api_client, ready_checkout(user=customer_user, quantity=3)
        )

    # when: staff refund 13.30 of it through Saleor's orderRefund
    with capture(execute=True):
        response = staff_api_client.post_graphql(
            ORDER_REFUND, {"id": _order_id(order), "amount": "13.30"}
        )
    assert get_graphql_content(response)["data"]["orderRefund"]["errors"] == []

    # then: revenue is the order's total less what was refunded
    response = journey_api(
        channel_USD.slug, REVENUE, _period(), token=access_token(staff_user)
    )
    left = (order.total_gross_amount - Decimal("13.30")).quantize(Decimal("0.01"))
    assert left > 0
    assert response.json() == {
        "data": {
            "journeyReport": {
                "kpis": {"revenue": {"amount": str(left), "currency": "USD"}}
            }
        }
    }
