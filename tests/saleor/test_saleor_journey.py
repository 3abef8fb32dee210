"""A customer's journey driven by Saleor's own mutations, read over the plugin API."""

import graphene
from saleor.graphql.tests.utils import get_graphql_content
from saleor.order import OrderStatus
from saleor.plugins.manager import get_plugins_manager

from saleor_journey_plugin.models import (
    Customer,
    Journey,
    JourneyEvent,
    StageTransition,
)

MY_JOURNEY = """
query { myJourney {
  channel stage stageLabel paidOrders
  customer { userId email }
  history { fromStage toStage cause { eventType } }
} }
"""

CUSTOMER_JOURNEY = """
query ($email: String) { customerJourney(email: $email) {
  channel stage paidOrders customer { userId email }
  history { fromStage toStage cause { eventType } }
} }
"""

ORDER_FULFILL = """
mutation Fulfill($order: ID, $input: OrderFulfillInput!) {
  orderFulfill(order: $order, input: $input) {
    order { status }
    errors { field code message }
  }
}
"""

MARK_AS_PAID = """
mutation MarkPaid($id: ID!) {
  orderMarkAsPaid(id: $id) {
    order { isPaid }
    errors { field code message }
  }
}
"""


def _events(**filters):
    """(type, channel, processed) of the logged events, oldest first."""
    return [
        (event.type, event.channel, event.processed_at is not None)
        for event in JourneyEvent.objects.filter(**filters).order_by("id")
    ]


def _history(journey):
    return list(
        StageTransition.objects.filter(journey=journey)
        .order_by("occurred_at", "id")
        .values_list("from_stage", "to_stage", "event__type")
    )


def _fulfil_everything(staff_api_client, order, warehouse):
    response = staff_api_client.post_graphql(
        ORDER_FULFILL,
        {
            "order": graphene.Node.to_global_id("Order", order.pk),
            "input": {
                "notifyCustomer": False,
                "lines": [
                    {
                        "orderLineId": graphene.Node.to_global_id("OrderLine", line.pk),
                        "stocks": [
                            {
                                "quantity": line.quantity,
                                "warehouse": graphene.Node.to_global_id(
                                    "Warehouse", warehouse.pk
                                ),
                            }
                        ],
                    }
                    for line in order.lines.all()
                ],
            },
        },
    )
    return get_graphql_content(response)["data"]["orderFulfill"]


def test_customer_goes_from_purchase_to_retention_to_loyalty(
    journey_active,
    channel_USD,
    customer_user,
    user_api_client,
    staff_api_client,
    staff_user,
    permission_manage_users,
    permission_group_manage_orders,
    warehouse,
    ready_checkout,
    complete_checkout,
    journey_api,
    access_token,
):
    # given the plugin active in channel_USD and a signed-in customer's checkout
    checkout = ready_checkout(user=customer_user)
    user_id = str(customer_user.pk)

    # when the customer completes it with Saleor's checkoutComplete
    data, order = complete_checkout(user_api_client, checkout)

    # then the order exists, our log has the order facts (processed), and the
    # customer's journey in the channel is PURCHASE
    assert data["order"]["status"] == "UNFULFILLED"
    assert _events(payload__order_id=str(order.pk)) == [
        ("ORDER_PLACED", channel_USD.slug, True),
        ("ORDER_PAID", channel_USD.slug, True),
    ]
    journey = Journey.objects.get(customer__user_id=user_id, channel=channel_USD.slug)
    assert (journey.stage, journey.paid_orders) == ("PURCHASE", 1)
    # (the account, created earlier by the fixture, opens the journey)
    assert _history(journey) == [
        (None, "AWARENESS", "ACCOUNT_CREATED"),
        ("AWARENESS", "PURCHASE", "ORDER_PLACED"),
    ]

    # and the customer sees it through the plugin endpoint with their Saleor token
    response = journey_api(
        channel_USD.slug, MY_JOURNEY, token=access_token(customer_user)
    )
    assert response.status_code == 200
    assert response.json() == {
        "data": {
            "myJourney": {
                "channel": channel_USD.slug,
                "stage": "PURCHASE",
                "stageLabel": "Purchase",
                "paidOrders": 1,
                "customer": {"userId": user_id, "email": customer_user.email},
                "history": [
                    {
                        "fromStage": None,
                        "toStage": "AWARENESS",
                        "cause": {"eventType": "ACCOUNT_CREATED"},
                    },
                    {
                        "fromStage": "AWARENESS",
                        "toStage": "PURCHASE",
                        "cause": {"eventType": "ORDER_PLACED"},
                    },
                ],
            }
        }
    }

    # and staff with MANAGE_USERS find it by email
    staff_user.user_permissions.add(permission_manage_users)
    staff_token = access_token(staff_user)
    response = journey_api(
        channel_USD.slug,
        CUSTOMER_JOURNEY,
        {"email": customer_user.email.upper()},
        token=staff_token,
    )
    assert response.status_code == 200
    found = response.json()["data"]["customerJourney"]
    assert (found["stage"], found["customer"]) == (
        "PURCHASE",
        {"userId": user_id, "email": customer_user.email},
    )

    # and the Saleor user is tagged in its public metadata
    customer_user.refresh_from_db()
    assert customer_user.metadata == {
        "key": "value",
        "journey_stage": "purchase",
        f"journey_stage.{channel_USD.slug}": "purchase",
    }

    # when staff fulfil the whole order with Saleor's orderFulfill
    permission_group_manage_orders.user_set.add(staff_user)
    fulfil = _fulfil_everything(staff_api_client, order, warehouse)

    # then the order is fulfilled and the customer is in RETENTION
    assert fulfil["errors"] == []
    assert fulfil["order"]["status"] == "FULFILLED"
    journey.refresh_from_db()
    assert journey.stage == "RETENTION"
    customer_user.refresh_from_db()
    assert customer_user.metadata["journey_stage"] == "retention"

    # when the customer places and pays a second order
    _, second = complete_checkout(user_api_client, ready_checkout(user=customer_user))

    # then two paid orders make them LOYAL, with the whole history in order
    assert second.status == OrderStatus.UNFULFILLED
    journey.refresh_from_db()
    assert (journey.stage, journey.paid_orders) == ("LOYALTY", 2)
    assert _history(journey) == [
        (None, "AWARENESS", "ACCOUNT_CREATED"),
        ("AWARENESS", "PURCHASE", "ORDER_PLACED"),
        ("PURCHASE", "RETENTION", "ORDER_FULFILLED"),
        ("RETENTION", "LOYALTY", "ORDER_PAID"),
    ]
    customer_user.refresh_from_db()
    assert customer_user.metadata == {
        "key": "value",
        "journey_stage": "loyalty",
        f"journey_stage.{channel_USD.slug}": "loyalty",
    }
    response = journey_api(
        channel_USD.slug, MY_JOURNEY, token=access_token(customer_user)
    )
    assert [
        (h["fromStage"], h["toStage"], h["cause"]["eventType"])
        for h in response.json()["data"]["myJourney"]["history"]
    ] == [
        (None, "AWARENESS", "ACCOUNT_CREATED"),
        ("AWARENESS", "PURCHASE", "ORDER_PLACED"),
        ("PURCHASE", "RETENTION", "ORDER_FULFILLED"),
        ("RETENTION", "LOYALTY", "ORDER_PAID"),
    ]


def test_order_marked_as_paid_counts_as_a_paid_order(
    journey_active,
    channel_USD,
    customer_user,
    user_api_client,
    staff_api_client,
    staff_user,
    permission_group_manage_orders,
    order_with_lines,
    ready_checkout,
    complete_checkout,
):
    # given a customer who bought once (paid) through checkout, and an unpaid
    # order of theirs (made before the plugin heard of it)
    complete_checkout(user_api_client, ready_checkout(user=customer_user))
    assert order_with_lines.user_id == customer_user.pk
    assert not order_with_lines.is_fully_paid()
    journey = Journey.objects.get(
        customer__user_id=str(customer_user.pk), channel=channel_USD.slug
    )
    assert (journey.stage, journey.paid_orders) == ("PURCHASE", 1)

    # when staff mark the other order as paid (Saleor fires order_fully_paid)
    permission_group_manage_orders.user_set.add(staff_user)
    response = staff_api_client.post_graphql(
        MARK_AS_PAID, {"id": graphene.Node.to_global_id("Order", order_with_lines.pk)}
    )

    # then that is the second paid order: LOYALTY
    data = get_graphql_content(response)["data"]["orderMarkAsPaid"]
    assert data["errors"] == []
    assert data["order"]["isPaid"] is True
    assert _events(payload__order_id=str(order_with_lines.pk)) == [
        ("ORDER_PAID", channel_USD.slug, True)
    ]
    journey.refresh_from_db()
    assert (journey.stage, journey.paid_orders) == ("LOYALTY", 2)


def test_guest_checkout_is_found_by_email(
    journey_active,
    channel_USD,
    api_client,
    staff_user,
    permission_manage_users,
    ready_checkout,
    complete_checkout,
    journey_api,
    access_token,
):
    # given a guest checkout: an email, no user
    checkout = ready_checkout(email="Guest.Buyer@Example.com")

    # when the guest completes it anonymously
    data, order = complete_checkout(api_client, checkout)

    # then a guest customer (no user id) is in PURCHASE
    assert data["order"]["user"] is None
    assert order.user_id is None
    customer = Customer.objects.get(email="guest.buyer@example.com")
    assert customer.user_id is None
    assert list(customer.journeys.values_list("channel", "stage")) == [
        (channel_USD.slug, "PURCHASE")
    ]

    # and staff find the journey by the email, in any case
    staff_user.user_permissions.add(permission_manage_users)
    response = journey_api(
        channel_USD.slug,
        CUSTOMER_JOURNEY,
        {"email": "guest.buyer@EXAMPLE.com"},
        token=access_token(staff_user),
    )
    assert response.status_code == 200
    assert response.json() == {
        "data": {
            "customerJourney": {
                "channel": channel_USD.slug,
                "stage": "PURCHASE",
                "paidOrders": 1,
                "customer": {"userId": None, "email": "guest.buyer@example.com"},
                "history": [
                    {
                        "fromStage": None,
                        "toStage": "PURCHASE",
                        "cause": {"eventType": "ORDER_PLACED"},
                    }
                ],
            }
        }
    }


def test_a_hook_delivered_five_times_counts_once(
    journey_active,
    channel_USD,
    customer_user,
    order_with_lines,
    django_capture_on_commit_callbacks,
):
    # given an order placed by a customer the plugin has not seen yet
    order = order_with_lines
    manager = get_plugins_manager(allow_replica=False)

    # when Saleor delivers order_created and order_fully_paid five times each
    # (each delivery committed, as call_event does)
    for _ in range(5):
        with django_capture_on_commit_callbacks(execute=True):
            manager.order_created(order)
        with django_capture_on_commit_callbacks(execute=True):
            manager.order_fully_paid(order)

    # then one event per fact, one stage change, one paid order
    assert _events(payload__order_id=str(order.pk)) == [
        ("ORDER_PLACED", channel_USD.slug, True),
        ("ORDER_PAID", channel_USD.slug, True),
    ]
    journey = Journey.objects.get(
        customer__user_id=str(customer_user.pk), channel=channel_USD.slug
    )
    assert (journey.stage, journey.paid_orders) == ("PURCHASE", 1)
    assert _history(journey) == [
        (None, "AWARENESS", "ACCOUNT_CREATED"),
        ("AWARENESS", "PURCHASE", "ORDER_PLACED"),
    ]


def test_hooks_do_nothing_where_the_plugin_is_inactive(
    journey_config,
    channel_USD,
    customer_user,
    user_api_client,
    ready_checkout,
    complete_checkout,
):
    # given the plugin configured but inactive in channel_USD
    journey_config(channel_USD, active=False)

    # when the customer completes a checkout
    _, order = complete_checkout(user_api_client, ready_checkout(user=customer_user))

    # then nothing about the order is recorded
    assert _events(payload__order_id=str(order.pk)) == []
    assert not Journey.objects.exists()


CHECKOUT_CREATE = """
mutation ($input: CheckoutCreateInput!) {
  checkoutCreate(input: $input) { checkout { id } errors { field code message } }
}
"""
SHIPPING_ADDRESS_UPDATE = """
mutation ($id: ID, $address: AddressInput!) {
  checkoutShippingAddressUpdate(id: $id, shippingAddress: $address) {
    errors { field code message }
  }
}
"""
DELIVERY_METHOD_UPDATE = """
mutation ($id: ID, $method: ID) {
  checkoutDeliveryMethodUpdate(id: $id, deliveryMethodId: $method) {
    errors { field code message }
  }
}
"""


def test_checkout_milestones_move_a_customer_to_consideration_once_each(
    journey_active,
    channel_USD,
    customer_user,
    user_api_client,
    product,
    address,
    shipping_method,
    django_capture_on_commit_callbacks,
):
    # given: a customer whose metadata another app already uses
    variant = product.variants.first()
    customer_user.store_value_in_metadata({"loyalty_app": "gold"})
    customer_user.save(update_fields=["metadata"])

    def run(query, variables, field):
        with django_capture_on_commit_callbacks(execute=True):
            response = user_api_client.post_graphql(query, variables)
        data = get_graphql_content(response)["data"][field]
        assert data["errors"] == []
        return data

    # when the signed-in customer starts a checkout with a line
    created = run(
        CHECKOUT_CREATE,
        {
            "input": {
                "channel": channel_USD.slug,
                "lines": [
                    {
                        "variantId": graphene.Node.to_global_id(
                            "ProductVariant", variant.pk
                        ),
                        "quantity": 1,
                    }
                ],
            }
        },
        "checkoutCreate",
    )
    checkout_id = created["checkout"]["id"]
    started_stage = Journey.objects.get(customer__user_id=str(customer_user.pk)).stage

    # and adds a shipping address twice, then chooses a delivery method
    shipping = {
        "firstName": address.first_name,
        "lastName": address.last_name,
        "streetAddress1": address.street_address_1,
        "city": address.city,
        "postalCode": address.postal_code,
        "country": address.country.code,
    }
    for _ in range(2):
        run(
            SHIPPING_ADDRESS_UPDATE,
            {"id": checkout_id, "address": shipping},
            "checkoutShippingAddressUpdate",
        )
    run(
        DELIVERY_METHOD_UPDATE,
        {
            "id": checkout_id,
            "method": graphene.Node.to_global_id("ShippingMethod", shipping_method.pk),
        },
        "checkoutDeliveryMethodUpdate",
    )

    # then each milestone is one event, and the customer is considering
    _, token = graphene.Node.from_global_id(checkout_id)
    milestones = JourneyEvent.objects.filter(payload__checkout=token).order_by("id")
    assert [event.type for event in milestones] == [
        "CHECKOUT_STARTED",
        "CHECKOUT_DETAILS_ADDED",
        "DELIVERY_METHOD_CHOSEN",
    ]
    journey = Journey.objects.get(customer__user_id=str(customer_user.pk))
    assert started_stage == "INTEREST"
    assert journey.stage == "CONSIDERATION"
    assert _history(journey) == [
        (None, "AWARENESS", "ACCOUNT_CREATED"),
        ("AWARENESS", "INTEREST", "CHECKOUT_STARTED"),
        ("INTEREST", "CONSIDERATION", "CHECKOUT_DETAILS_ADDED"),
    ]
    customer_user.refresh_from_db()
    assert customer_user.metadata == {
        "key": "value",  # Saleor's fixture
        "loyalty_app": "gold",
        "journey_stage": "consideration",
        f"journey_stage.{channel_USD.slug}": "consideration",
    }
