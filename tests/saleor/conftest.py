"""The plugin inside a real Saleor: configuration, bootstrap and shared fixtures.

This conftest is the rootdir conftest of the Saleor run (see pytest.ini), so it
may declare ``pytest_plugins``: it registers Saleor's own root ``conftest.py``
(loaded from next to the installed ``saleor`` package), which in turn brings in
every fixture module Saleor's test suite uses and its database set-up (the
replica alias, the test connections).

Without Saleor (or when another settings module is in use, as in the
repository's main suite, which also collects this directory) nothing here is
collected and the run says so: a header line, a summary line, and exit code 0
instead of pytest's 5 ("no tests collected") when this suite is all that ran.
"""

import importlib.util
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SALEOR_SETTINGS = "saleor.tests.settings"
SALEOR_CONFTEST_MODULE = "saleor_root_conftest"


def _saleor_root() -> Path | None:
    try:
        spec = importlib.util.find_spec("saleor")
    except (ImportError, ValueError):
        return None
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).resolve().parent.parent


def _why_not_run(saleor_root: Path | None) -> str:
    if saleor_root is None:
        return "saleor is not importable"
    settings_module = os.environ.get("DJANGO_SETTINGS_MODULE", "")
    if settings_module and not settings_module.startswith("saleor."):
        return (
            f"Django settings are {settings_module!r}, not Saleor's "
            f"(run with -c tests/saleor/pytest.ini)"
        )
    if not (saleor_root / "conftest.py").is_file():
        return f"no conftest.py next to the saleor package in {saleor_root}"
    return ""


SALEOR_ROOT = _saleor_root()
NOT_RUN_REASON = _why_not_run(SALEOR_ROOT)
ACTIVE = not NOT_RUN_REASON


if ACTIVE:
    # pytest-django reads --ds / DJANGO_SETTINGS_MODULE before conftests load;
    # when neither names Saleor's settings, default to them here and set Django
    # up ourselves (pytest-django's trylast pytest_configure then finds it ready).
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SALEOR_SETTINGS)
    import django
    from django.apps import apps as _apps

    if not _apps.ready:
        django.setup()

    def _load_saleor_root_conftest():
        if SALEOR_CONFTEST_MODULE in sys.modules:
            return sys.modules[SALEOR_CONFTEST_MODULE]
        spec = importlib.util.spec_from_file_location(
            SALEOR_CONFTEST_MODULE, SALEOR_ROOT / "conftest.py"
        )
        module = importlib.util.module_from_spec(spec)
        sys.modules[SALEOR_CONFTEST_MODULE] = module
        spec.loader.exec_module(module)
        return module

    _load_saleor_root_conftest()
    # Saleor's root conftest as a plugin: its hooks, its database set-up, and
    # (through its own pytest_plugins) all of Saleor's fixture modules.
    # app_service.py: the Saleor App run beside this Saleor (test_saleor_app.py).
    pytest_plugins = [SALEOR_CONFTEST_MODULE, "app_service"]
else:
    collect_ignore_glob = ["test_*.py"]


def _is_own_run(config) -> bool:
    return Path(str(config.rootpath)).resolve() == HERE


def pytest_report_header(config):
    if ACTIVE:
        return [f"tests/saleor: Saleor from {SALEOR_ROOT}"]
    return [f"tests/saleor: NOT RUN - {NOT_RUN_REASON}"]


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not ACTIVE:
        terminalreporter.write_line(
            f"tests/saleor: NOT RUN - {NOT_RUN_REASON}", yellow=True, bold=True
        )


def pytest_sessionfinish(session, exitstatus):
    # Nothing collected because Saleor is absent is a skip, not a failure; any
    # other "no tests" (a -k that matches nothing in a real run) stays 5.
    if not ACTIVE and exitstatus == 5 and _is_own_run(session.config):
        session.exitstatus = 0


if ACTIVE:
    import graphene
    import pytest
    from django.test import TestCase
    from django.test.client import Client
    from saleor.core.jwt import create_access_token
    from saleor.plugins.models import PluginConfiguration

    from saleor_journey_plugin.saleor_adapter.host import PLUGIN_ID

    JOURNEY_PLUGIN = "saleor_journey_plugin.plugin.JourneyPlugin"

    @pytest.fixture(autouse=True)
    def journey_plugin_installed(setup_dummy_gateways, settings):
        """Saleor's test settings empty PLUGINS; put ours next to the dummy gateways.

        Saleor's own settings add it from the entry point (checked in
        test_saleor_install.py).
        """
        settings.PLUGINS = [*settings.PLUGINS, JOURNEY_PLUGIN]
        return settings

    @pytest.fixture
    def journey_config():
        """Make the plugin active (or not) in a channel with a given configuration."""

        def configure(channel, active=True, **values):
            configuration = [
                {"name": name, "value": value} for name, value in values.items()
            ]
            row, _ = PluginConfiguration.objects.update_or_create(
                identifier=PLUGIN_ID,
                channel=channel,
                defaults={"active": active, "configuration": configuration},
            )
            return row

        return configure

    @pytest.fixture
    def journey_active(journey_config, channel_USD):
        return journey_config(channel_USD)

    @pytest.fixture
    def journey_api():
        """POST a GraphQL document to the plugin's endpoint in a channel."""

        def post(
            channel_slug, query, variables=None, token=None, method="post", **extra
        ):
            client = Client()
            if token:
                extra["HTTP_AUTHORIZATION"] = f"Bearer {token}"
            path = f"/plugins/channel/{channel_slug}/{PLUGIN_ID}/graphql/"
            if method == "options":
                return client.options(path, **extra)
            body = {"query": query}
            if variables is not None:
                body["variables"] = variables
            # As Saleor's ApiClient does: run what the request left for on-commit
            # (our wake-up of the processing task) as a real commit would.
            with TestCase.captureOnCommitCallbacks(execute=True):
                return client.post(path, body, content_type="application/json", **extra)

        return post

    @pytest.fixture
    def access_token():
        return create_access_token

    # --- checkouts completed through Saleor's own checkoutComplete mutation ---

    CHECKOUT_COMPLETE = """
    mutation Complete($id: ID) {
      checkoutComplete(id: $id) {
        order { id number status userEmail user { id } }
        errors { field code message }
      }
    }
    """

    @pytest.fixture
    def ready_checkout(db, channel_USD, product, address, checkout_delivery, settings):
        """A checkout with a line, addresses, a delivery and a dummy payment for it."""
        from django.utils import timezone
        from saleor.checkout import calculations
        from saleor.checkout.fetch import fetch_checkout_info, fetch_checkout_lines
        from saleor.checkout.models import Checkout, CheckoutMetadata
        from saleor.checkout.tests.utils import add_variant_to_checkout
        from saleor.payment.models import Payment
        from saleor.plugins.manager import get_plugins_manager

        def make(user=None, email=None, quantity=1):
            checkout = Checkout.objects.create(
                currency=channel_USD.currency_code,
                channel=channel_USD,
                price_expiration=timezone.now() + settings.CHECKOUT_PRICES_TTL,
                user=user,
                email=email or (user.email if user else None),
            )
            checkout.set_country("US", commit=True)
            CheckoutMetadata.objects.create(checkout=checkout)
            manager = get_plugins_manager(allow_replica=False)
            info = fetch_checkout_info(checkout, [], manager)
            add_variant_to_checkout(info, product.variants.first(), quantity)
            checkout.shipping_address = address.get_copy()
            checkout.billing_address = address.get_copy()
            checkout.assigned_delivery = checkout_delivery(checkout)
            checkout.save()
            lines, _ = fetch_checkout_lines(checkout)
            info = fetch_checkout_info(checkout, lines, manager)
            total = calculations.calculate_checkout_total_with_gift_cards(
                manager, info, lines
            )
            Payment.objects.create(
                gateway="mirumee.payments.dummy",
                is_active=True,
                checkout=checkout,
                total=total.gross.amount,
                currency=total.gross.currency,
            )
            return checkout

        return make

    @pytest.fixture
    def complete_checkout():
        """Run checkoutComplete as ``client`` (on-commit callbacks executed)."""
        from saleor.graphql.core.utils import to_global_id_or_none
        from saleor.graphql.tests.utils import get_graphql_content
        from saleor.order.models import Order

        def complete(client, checkout):
            response = client.post_graphql(
                CHECKOUT_COMPLETE, {"id": to_global_id_or_none(checkout)}
            )
            data = get_graphql_content(response)["data"]["checkoutComplete"]
            assert data["errors"] == []
            _, pk = graphene.Node.from_global_id(data["order"]["id"])
            return data, Order.objects.get(pk=pk)

        return complete
