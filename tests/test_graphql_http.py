"""The journey endpoint's HTTP answers: refusals before a query runs."""

import json
import logging

from django.test import override_settings

from example_store.host import issue_token

STAFF = issue_token(permissions=["MANAGE_USERS"])


def graphql(client, query, *, token=STAFF, channel="web-usd", **headers):
    if token:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client.post(
        f"/graphql/{channel}/",
        data=json.dumps({"query": query}),
        content_type="application/json",
        **headers,
    )


# Refused before they run


def test_a_body_over_100_kb_is_refused_unread(db, client):
    # given
    body = json.dumps({"query": "{ myJourney { stage } }", "pad": "x" * 100_000})

    # when
    response = client.post(
        "/graphql/web-usd/", data=body, content_type="application/json"
    )

    # then
    assert response.status_code == 413
    assert response.json() == {
        "errors": [
            {
                "message": (
                    f"The request body is {len(body)} bytes; "
                    "at most 100000 are allowed."
                ),
                "extensions": {"exception": {"code": "RequestTooLarge"}},
            }
        ]
    }


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_a_body_over_the_stores_upload_limit_is_a_json_413(db, client):
    # given
    body = json.dumps({"query": "{ myJourney { stage } }", "pad": "x" * 2000})

    # when
    response = client.post(
        "/graphql/web-usd/", data=body, content_type="application/json"
    )

    # then
    assert response.status_code == 413
    assert response.json() == {
        "errors": [
            {
                "message": "The request body is larger than this server accepts.",
                "extensions": {"exception": {"code": "RequestTooLarge"}},
            }
        ]
    }


def test_a_query_over_20000_characters_is_refused_unparsed(db, client):
    # given
    query = "{ myJourney { stage } }" + " " * 20_000

    # when
    response = graphql(client, query)

    # then
    assert response.status_code == 413
    assert response.json() == {
        "errors": [
            {
                "message": "The query is 20023 characters long; "
                "at most 20000 are allowed.",
                "extensions": {"exception": {"code": "RequestTooLarge"}},
            }
        ]
    }


def test_json_nested_deeper_than_python_can_parse_is_a_bad_request(db, client):
    # given: 40,000 nested lists, under the size limit
    body = '{"query": "{ myJourney { stage } }", "variables": {"a": '
    body += "[" * 40_000 + "]" * 40_000 + "}}"

    # when
    response = client.post(
        "/graphql/web-usd/", data=body, content_type="application/json"
    )

    # then
    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {
                "message": "The request body is nested too deeply.",
                "extensions": {"exception": {"code": "BadRequest"}},
            }
        ]
    }


def test_operation_name_must_be_a_string(db, client):
    # when
    response = client.post(
        "/graphql/web-usd/",
        data=json.dumps({"query": "{ myJourney { stage } }", "operationName": 5}),
        content_type="application/json",
    )

    # then
    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {
                "message": "'operationName' must be a string.",
                "extensions": {"exception": {"code": "BadRequest"}},
            }
        ]
    }


def test_a_subscription_is_refused_as_a_bad_request(db, client):
    # when: the schema has no subscriptions
    response = graphql(client, "subscription { customers { edges { cursor } } }")

    # then
    assert response.status_code == 400
    assert response.json() == {
        "data": None,
        "errors": [{"message": "Schema is not configured for subscriptions"}],
    }


def test_a_refused_query_leaves_one_info_line(db, client, caplog):
    # when
    with caplog.at_level(logging.DEBUG, logger="saleor_journey_plugin"):
        graphql(client, "{ myJourney { " + "stage " * 300 + "} }")

    # then
    assert [
        (r.levelname, r.getMessage())
        for r in caplog.records
        if r.name.startswith("saleor_journey_plugin")
    ] == [
        (
            "INFO",
            "Journey GraphQL query refused: The query selects 301 fields (each "
            "alias and each use of a fragment counted); at most 250 are allowed.",
        )
    ]
