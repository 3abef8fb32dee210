"""The journey map page under Saleor's plugin URLs."""

from django.test.client import Client


def test_the_map_page_is_served_next_to_the_channels_endpoint(
    journey_active, channel_USD
):
    # given the plugin active in channel_USD
    base = f"/plugins/channel/{channel_USD.slug}/saleor.journey/"

    # when a staff member opens the map and the page loads its script
    page = Client().get(base + "map/")
    script = Client().get(base + "map/assets/map.js")
    unknown = Client().get(base + "map/assets/../plugin.py")

    # then the page names the channel's endpoint and Saleor's API, holds no
    # data, and allows nothing from another origin
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-api-url="{base}graphql/"' in html
    assert 'data-signin-url="/graphql/"' in html
    assert f'src="{base}map/assets/map.js"' in html
    assert "default-src 'self'" in page["Content-Security-Policy"]
    assert page["X-Content-Type-Options"] == "nosniff"
    assert page["Cache-Control"] == "no-store"
    assert script.status_code == 200
    assert script["Content-Type"].startswith("text/javascript")
    assert unknown.status_code == 404


def test_the_map_is_404_where_the_plugin_is_inactive(journey_config, channel_PLN):
    # given the plugin configured inactive in channel_PLN
    journey_config(channel_PLN, active=False)

    # when the map is opened there
    response = Client().get(f"/plugins/channel/{channel_PLN.slug}/saleor.journey/map/")

    # then 404
    assert response.status_code == 404
