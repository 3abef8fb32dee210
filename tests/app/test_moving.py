"""Moving from the plugin: the app's backfill reads a Saleor's past over its
GraphQL and records it with the plugin's keys, so the journeyReport is the one
the plugin's store gives for the same past, and a webhook arriving afterwards
for a fact already recorded counts nothing twice."""

import io
from datetime import datetime
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from saleor_journey_app.tenants.schemas import activated
from saleor_journey_plugin.core import keys
from saleor_journey_plugin.core.backfill import backfill
from saleor_journey_plugin.core.events import EventType, JourneyEventData, TouchChannel
from saleor_journey_plugin.core.host import MANAGE_ORDERS, Viewer, get_host
from saleor_journey_plugin.core.processing import drain
from saleor_journey_plugin.core.recording import stored_key
from saleor_journey_plugin.graphql import operation
from saleor_journey_plugin.graphql.context import JourneyContext
from saleor_journey_plugin.models import JourneyEvent

from . import payloads as p
from .conftest import deliver, gid

CHANNEL = p.CHANNEL
KIM, LEE = "42", "43"
PAID_ORDER = "6f1c7a52-93c0-4a0e-9a52-6a3f2e1c9b10"
REFUNDED_ORDER = "7a2d8b63-04d1-4b1f-8b63-7b4f3f2d0c21"
GUEST_ORDER = "8b3e9c74-15e2-4c20-9c74-8c504a3e1d32"
ELSEWHERE_ORDER = "9c4fad85-26f3-4d31-ad85-9d615b4f2e43"
DONE_CHECKOUT = "0c7e8d7c-8c33-4c7e-9f0e-2f1d3b2a1c00"  # completed: deleted
OPEN_CHECKOUT = "3e2f1a0b-7c6d-4e5f-8a9b-0c1d2e3f4a5b"
ANONYMOUS_CHECKOUT = "4f3a2b1c-8d7e-4f6a-9b0c-1d2e3f4a5b6c"
REPORT = (
    Path(__file__).resolve().parents[2]
    / "graphql"
    / "examples"
    / "journey_report.graphql"
).read_text(encoding="utf-8")
FEBRUARY = {
    "from": "2026-02-01",
    "to": "2026-03-01",
    "previousFrom": "2026-01-04",
    "previousTo": "2026-02-01",
}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


# --- the store's past, as Saleor's GraphQL shows it to the app ---


def saleor_user(pk, email, joined, updated, *, confirmed=True, staff=False):
    return {
        "id": gid("User", pk),
        "email": email,
        "isConfirmed": confirmed,
        "dateJoined": joined,
        "updatedAt": updated,
        "isStaff": staff,
        "isActive": True,
        "firstName": "",
    }


def saleor_checkout(token, user, email, created, last_change, **fields):
    return {
        **p.checkout(
            token=token,
            email=email,
            user={"id": gid("User", user)} if user else None,
            quantity=1,
        ),
        "created": created,
        "lastChange": last_change,
        "chargeStatus": "NONE",
        **fields,
    }


def saleor_order(uuid, user, email, created, updated, total, net, **fields):
    return {
        **p.order(
            id=gid("Order", uuid),
            created=created,
            userEmail=email,
            user={"id": gid("User", user)} if user else None,
            total={
                "gross": {"amount": total, "currency": "USD"},
                "net": {"amount": net},
            },
        ),
        "number": "1",
        "updatedAt": updated,
        "chargeStatus": "NONE",
        "events": [],
        "fulfillments": [],
        "payments": [],
        "transactions": [],
        **fields,
    }


def saleors_past(saleor):
    saleor.users = [
        saleor_user(
            KIM,
            "kim@example.com",
            "2026-02-01T10:00:00+00:00",
            "2026-02-01T10:05:00+00:00",
        ),
        saleor_user(
            LEE,
            "lee@example.com",
            "2026-02-03T09:00:00+00:00",
            "2026-02-03T09:00:00+00:00",
            confirmed=False,
        ),
        # Staff without orders: Saleor does not show them to the app.
        saleor_user(
            7,
            "ops@example.com",
            "2026-01-02T09:00:00+00:00",
            "2026-01-02T09:00:00+00:00",
            staff=True,
        ),
    ]
    saleor.checkouts = [
        saleor_checkout(
            OPEN_CHECKOUT,
            LEE,
            "lee@example.com",
            "2026-02-05T12:00:00+00:00",
            "2026-02-05T12:20:00+00:00",
            shippingAddress={"id": gid("Address", 5)},
        ),
        # Nobody's yet: no account, no email.
        saleor_checkout(
            ANONYMOUS_CHECKOUT,
            None,
            None,
            "2026-02-06T12:00:00+00:00",
            "2026-02-06T12:00:00+00:00",
        ),
    ]
    saleor.orders = [
        saleor_order(
            PAID_ORDER,
            KIM,
            "kim@example.com",
            "2026-02-10T09:00:00+00:00",
            "2026-02-12T15:00:00+00:00",
            50.0,
            40.65,
            status="FULFILLED",
            chargeStatus="FULL",
            checkoutId=gid("Checkout", DONE_CHECKOUT),
            events=[
                {"type": "PLACED", "date": "2026-02-10T09:00:00+00:00"},
                {"type": "ORDER_FULLY_PAID", "date": "2026-02-10T09:05:00+00:00"},
                {
                    "type": "FULFILLMENT_FULFILLED_ITEMS",
                    "date": "2026-02-12T15:00:00+00:00",
                },
            ],
        ),
        saleor_order(
            REFUNDED_ORDER,
            KIM,
            "kim@example.com",
            "2026-02-20T10:00:00+00:00",
            "2026-02-22T08:00:00+00:00",
            80.0,
            65.04,
            chargeStatus="FULL",
            checkoutId=None,
            totalRefunded={"amount": 20.0},
            # Paid through a transaction, no "paid" order event.
            transactions=[
                {
                    "events": [
                        {
                            "type": "CHARGE_SUCCESS",
                            "createdAt": "2026-02-20T10:01:00+00:00",
                        },
                        {
                            "type": "REFUND_SUCCESS",
                            "createdAt": "2026-02-22T08:00:00+00:00",
                        },
                    ]
                }
            ],
        ),
        saleor_order(
            GUEST_ORDER,
            None,
            "guest@example.com",
            "2026-02-15T14:00:00+00:00",
            "2026-02-16T08:00:00+00:00",
            30.0,
            24.39,
            status="CANCELED",
            checkoutId=None,
            events=[{"type": "CANCELED", "date": "2026-02-16T08:00:00+00:00"}],
        ),
        # A channel without the journey: not read.
        saleor_order(
            ELSEWHERE_ORDER,
            KIM,
            "kim@example.com",
            "2026-02-11T09:00:00+00:00",
            "2026-02-11T09:00:00+00:00",
            999.0,
            812.2,
            channel={"slug": "other-channel"},
            chargeStatus="FULL",
            checkoutId=None,
        ),
    ]


# --- the same past, as the plugin's journey_backfill records it from
# Saleor's tables (saleor_adapter/backfill.py), keys written out ---


def order_fact(kind, uuid, user, email, when, total, net, **payload):
    return JourneyEventData(
        type=kind,
        idempotency_key=f"order:{uuid}:{keys.ORDER_MILESTONES[kind]}",
        occurred_at=at(when),
        channel=CHANNEL,
        touch_channel=TouchChannel.WEB,
        payload={
            "order_id": uuid,
            "total": total,
            "currency": "USD",
            "net": net,
            **payload,
        },
        user_id=user,
        email=email,
    )


def plugins_log() -> list[JourneyEventData]:
    kim = (KIM, "kim@example.com")
    placed = EventType.ORDER_PLACED
    return [
        JourneyEventData(
            type=EventType.ACCOUNT_CREATED,
            idempotency_key="user:42:created",
            occurred_at=at("2026-02-01T10:00:00+00:00"),
            user_id=KIM,
            email="kim@example.com",
        ),
        JourneyEventData(
            type=EventType.ACCOUNT_UPDATED,
            idempotency_key="user:42:updated:state:kim@example.com:True:backfill",
            occurred_at=at("2026-02-01T10:05:00+00:00"),
            touch_channel=TouchChannel.API,
            user_id=KIM,
            email="kim@example.com",
        ),
        JourneyEventData(
            type=EventType.ACCOUNT_CREATED,
            idempotency_key="user:43:created",
            occurred_at=at("2026-02-03T09:00:00+00:00"),
            user_id=LEE,
            email="lee@example.com",
        ),
        JourneyEventData(
            type=EventType.ACCOUNT_UPDATED,
            idempotency_key="user:43:updated:state:lee@example.com:False:backfill",
            occurred_at=at("2026-02-03T09:00:00+00:00"),
            touch_channel=TouchChannel.API,
            user_id=LEE,
            email="lee@example.com",
        ),
        JourneyEventData(
            type=EventType.CHECKOUT_STARTED,
            idempotency_key=f"checkout:{OPEN_CHECKOUT}:started",
            occurred_at=at("2026-02-05T12:00:00+00:00"),
            channel=CHANNEL,
            payload={"checkout": OPEN_CHECKOUT},
            user_id=LEE,
            email="lee@example.com",
        ),
        JourneyEventData(
            type=EventType.CHECKOUT_DETAILS_ADDED,
            idempotency_key=f"checkout:{OPEN_CHECKOUT}:details",
            occurred_at=at("2026-02-05T12:20:00+00:00"),
            channel=CHANNEL,
            payload={"checkout": OPEN_CHECKOUT},
            user_id=LEE,
            email="lee@example.com",
        ),
        order_fact(
            placed,
            PAID_ORDER,
            *kim,
            "2026-02-10T09:00:00+00:00",
            "50.00",
            "40.65",
            checkout=DONE_CHECKOUT,
            coupons=[],
        ),
        order_fact(
            EventType.ORDER_PAID,
            PAID_ORDER,
            *kim,
            "2026-02-10T09:05:00+00:00",
            "50.00",
            "40.65",
            checkout=DONE_CHECKOUT,
        ),
        order_fact(
            EventType.ORDER_FULFILLED,
            PAID_ORDER,
            *kim,
            "2026-02-12T15:00:00+00:00",
            "50.00",
            "40.65",
            checkout=DONE_CHECKOUT,
        ),
        order_fact(
            placed,
            GUEST_ORDER,
            "",
            "guest@example.com",
            "2026-02-15T14:00:00+00:00",
            "30.00",
            "24.39",
            coupons=[],
        ),
        order_fact(
            EventType.ORDER_CANCELLED,
            GUEST_ORDER,
            "",
            "guest@example.com",
            "2026-02-16T08:00:00+00:00",
            "30.00",
            "24.39",
        ),
        order_fact(
            placed,
            REFUNDED_ORDER,
            *kim,
            "2026-02-20T10:00:00+00:00",
            "80.00",
            "65.04",
            coupons=[],
        ),
        order_fact(
            EventType.ORDER_PAID,
            REFUNDED_ORDER,
            *kim,
            "2026-02-20T10:01:00+00:00",
            "80.00",
            "65.04",
        ),
        JourneyEventData(
            type=EventType.ORDER_REFUNDED,
            idempotency_key=f"order:{REFUNDED_ORDER}:refunded:20.00",
            occurred_at=at("2026-02-22T08:00:00+00:00"),
            channel=CHANNEL,
            payload={
                "order_id": REFUNDED_ORDER,
                "total": "80.00",
                "currency": "USD",
                "net": "65.04",
                "refunded": "20.00",
                "partial": True,
            },
            user_id=KIM,
            email="kim@example.com",
        ),
    ]


def journey_report() -> dict:
    host = get_host()
    settings = host.channel_settings(CHANNEL)
    assert settings is not None
    context = JourneyContext(
        viewer=Viewer(permissions=frozenset({MANAGE_ORDERS})),
        channel=CHANNEL,
        settings=settings,
    )
    document = operation.check(REPORT, FEBRUARY, None)
    answer = operation.run(document, FEBRUARY, None, context)
    assert answer.status == 200 and "errors" not in answer.payload, answer.payload
    return answer.payload["data"]


def stored_keys() -> set[str]:
    return set(JourneyEvent.objects.values_list("idempotency_key", flat=True))


def app_backfill(tenant, **options) -> str:
    out = io.StringIO()
    call_command("journey_app_backfill", tenant.saleor_api_url, stdout=out, **options)
    return out.getvalue()


def total_line(output: str) -> list[str]:
    (line,) = [line for line in output.splitlines() if line.startswith("  total ")]
    return line.split()


@pytest.fixture
def moved(tenant_a, tenant_b, saleor_a):
    """Saleor A's past backfilled into the app (tenant A); the plugin's log of
    the same past in tenant B's store."""
    saleors_past(saleor_a)
    with activated(tenant_b):
        summary = backfill(plugins_log())
        assert sum(summary.new.values()) == 14
    return app_backfill(tenant_a)


def test_the_app_records_the_plugins_keys_and_gives_the_same_report(
    moved, tenant_a, tenant_b
):
    with activated(tenant_b):
        plugin_keys = stored_keys()
        plugin_report = journey_report()
    with activated(tenant_a):
        app_keys = stored_keys()
        app_report = journey_report()

    assert len(app_keys) == 14
    assert app_keys == plugin_keys
    assert stored_key(f"order:{ELSEWHERE_ORDER}:placed") not in app_keys
    assert app_report == plugin_report
    kpis = app_report["journeyReport"]["kpis"]
    assert {
        name: kpis[name]
        for name in ("activeCustomers", "checkoutsStarted", "orders", "buyers")
    } == {"activeCustomers": 3, "checkoutsStarted": 1, "orders": 3, "buyers": 2}
    # Both orders paid, less the 20.00 refunded.
    assert kpis["revenue"] == {"amount": "110.00", "currency": "USD"}
    assert kpis["repeatPurchaseRate"] == "0.5"


def test_the_backfill_shows_its_progress_and_summary(moved):
    lines = moved.splitlines()
    # No terminal: plain progress lines, the hint counted from totalCount.
    assert lines[0].startswith(
        "backfill: 14/~12 events (100%), 14 new, 0 already there"
    )
    assert lines[1].startswith("Backfill finished after 0:00:0")
    assert total_line(moved) == ["total", "14", "0"]
    assert "Journeys rebuilt in time order: 0 (of 0 checked)." in lines


def test_a_second_run_finds_everything_there(moved, tenant_a, saleor_a):
    again = app_backfill(tenant_a)
    assert total_line(again) == ["total", "0", "14"]
    assert "backfill: 14/~12 events (100%), 0 new, 14 already there" in again


def test_a_webhook_after_the_backfill_counts_nothing_twice(
    moved, client, tenant_a, saleor_a
):
    with activated(tenant_a):
        before = journey_report()
        events = JourneyEvent.objects.count()
    paid = p.order(
        id=gid("Order", PAID_ORDER),
        created="2026-02-10T09:00:00+00:00",
        checkoutId=gid("Checkout", DONE_CHECKOUT),
    )
    lee = p.checkout(
        token=OPEN_CHECKOUT,
        email="lee@example.com",
        user={"id": gid("User", LEE)},
        quantity=1,
        shippingAddress={"id": gid("Address", 5)},
    )
    for event, payload in [
        ("order-created", p.event("OrderCreated", order=paid)),
        ("order-fully-paid", p.event("OrderFullyPaid", order=paid)),
        ("order-fulfilled", p.event("OrderFulfilled", order=paid)),
        ("checkout-updated", p.event("CheckoutUpdated", checkout=lee)),
        ("customer-created", p.event("CustomerCreated", user=p.user())),
    ]:
        assert deliver(client, saleor_a, event, payload).status_code == 200
    with activated(tenant_a):
        drain()
        assert JourneyEvent.objects.count() == events
        assert journey_report() == before

    # A fact the backfill did not hold is recorded once.
    new = p.checkout(**{**lee, "delivery": {"id": "ZGVsaXZlcnk6MQ=="}})
    for _ in range(2):
        deliver(
            client,
            saleor_a,
            "checkout-updated",
            p.event("CheckoutUpdated", checkout=new),
        )
    with activated(tenant_a):
        assert JourneyEvent.objects.count() == events + 1
        assert (
            JourneyEvent.objects.filter(
                idempotency_key=stored_key(f"checkout:{OPEN_CHECKOUT}:delivery")
            ).count()
            == 1
        )


def test_the_backfill_of_a_saleor_without_the_app_is_refused(db):
    with pytest.raises(
        CommandError, match=r"No Saleor at http://nowhere\.test/graphql/ "
    ):
        call_command("journey_app_backfill", "http://nowhere.test/graphql/")
