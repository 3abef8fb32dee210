"""The journey endpoint's HTTP answers: failures, refusals, CORS and tokens."""

import json
import logging
from io import StringIO

import pytest
from django.core import signing
from django.core.management import call_command
from django.db import DatabaseError
from django.test import override_settings

from example_store.host import TOKEN_SALT, ExampleStoreHost, issue_token
from saleor_journey_plugin.core import queries
from saleor_journey_plugin.core.events import EventType as E

STAFF = issue_token(permissions=["MANAGE_USERS"])
SHOP = "https://shop.example.com"
SECRET = 'relation "journey_secret_ledger" does not exist'


def graphql(client, query, *, token=STAFF, channel="web-usd", **headers):
    if token:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client.post(
        f"/graphql/{channel}/",
        data=json.dumps({"query": query}),
        content_type="application/json",
        **headers,
    )


@pytest.fixture
def graphql_core_logs():
    """graphql-core's loggers as a host that leaves them alone has them.

    The example store mutes them in its settings, as Saleor does; the plugin
    must not depend on that.
    """
    loggers = [
        logging.getLogger(name)
        for name in ("graphql.execution.executor", "graphql.execution.utils")
    ]
    saved = [(logger.level, logger.propagate) for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.NOTSET)
        logger.propagate = True
    yield
    for logger, (level, propagate) in zip(loggers, saved, strict=True):
        logger.setLevel(level)
        logger.propagate = propagate


def tampered(token):
    return token[:-1] + ("B" if token.endswith("A") else "A")


def failing(*args, **kwargs):
    raise DatabaseError(SECRET)


def tracebacks(caplog):
    return [r for r in caplog.records if r.exc_info or "Traceback" in r.getMessage()]


# Unexpected failures


@pytest.mark.parametrize(
    ("broken", "query", "field"),
    [
        pytest.param(
            "journeys_in_stage",
            "{ customers { edges { cursor } } }",
            "customers",
            id="in-a-resolver",
        ),
        pytest.param(
            "stage_counts",
            "{ stageDistribution { total } }",
            "stageDistribution",
            id="in-a-dataloader",
        ),
    ],
)
def test_a_database_error_is_answered_without_its_details_and_logged_once(
    db, client, caplog, graphql_core_logs, monkeypatch, broken, query, field
):
    # given
    monkeypatch.setattr(queries, broken, failing)

    # when
    with caplog.at_level(logging.DEBUG):
        response = graphql(client, query)

    # then
    assert response.status_code == 200
    assert response.json() == {
        "data": {field: None},
        "errors": [
            {
                "message": "Internal server error",
                "locations": [{"line": 1, "column": 3}],
                "path": [field],
                "extensions": {"exception": {"code": "INTERNAL_ERROR"}},
            }
        ],
    }
    assert "journey_secret_ledger" not in response.content.decode()
    logged = tracebacks(caplog)
    assert [(r.name, r.levelname, r.getMessage()) for r in logged] == [
        (
            "saleor_journey_plugin.graphql.operation",
            "ERROR",
            "Journey GraphQL field failed",
        )
    ]
    assert str(logged[0].exc_info[1]) == SECRET


def test_a_failure_outside_the_query_is_a_json_500_logged_once(
    db, client, caplog, monkeypatch
):
    # given: the host's authentication cannot reach its database
    monkeypatch.setattr(ExampleStoreHost, "authenticate", failing)

    # when
    response = graphql(client, "{ stageDistribution { total } }")

    # then
    assert response.status_code == 500
    assert response.json() == {
        "errors": [
            {
                "message": "Internal server error",
                "extensions": {"exception": {"code": "INTERNAL_ERROR"}},
            }
        ]
    }
    ours = [r for r in tracebacks(caplog) if r.name.startswith("saleor_journey")]
    assert [(r.name, r.getMessage(), str(r.exc_info[1])) for r in ours] == [
        (
            "saleor_journey_plugin.graphql.views",
            "Journey GraphQL request failed",
            SECRET,
        )
    ]


@pytest.mark.parametrize(
    ("query", "token", "code"),
    [
        pytest.param(
            "{ customers(first: 0) { edges { cursor } } }",
            STAFF,
            "INVALID",
            id="invalid-argument",
        ),
        pytest.param(
            "{ customers { edges { cursor } } }",
            "",
            "PermissionDenied",
            id="permission-denied",
        ),
        pytest.param("{ customers { ", STAFF, None, id="syntax-error"),
        pytest.param("{ shoeSize }", STAFF, None, id="validation-error"),
        pytest.param(
            "{ __schema { types { fields { type { fields { type { fields { type { "
            "fields { type { name } } } } } } } } } } }",
            STAFF,
            "QueryCostError",
            id="too-costly",
        ),
        pytest.param(
            "{ myJourney { " + "stage " * 300 + "} }",
            STAFF,
            "QUERY_TOO_COMPLEX",
            id="too-wide",
        ),
    ],
)
def test_client_errors_are_answered_without_a_traceback_in_the_log(
    db, client, caplog, graphql_core_logs, query, token, code
):
    # when
    with caplog.at_level(logging.DEBUG):
        response = graphql(client, query, token=token)

    # then
    errors = response.json()["errors"]
    assert len(errors) == 1
    assert errors[0].get("extensions", {}).get("exception", {}).get("code") == code
    assert tracebacks(caplog) == []
    # Django itself notes every 4xx answer on django.request; nothing else warns.
    assert [
        r.getMessage()
        for r in caplog.records
        if r.levelno >= logging.WARNING and r.name != "django.request"
    ] == []


# Refused before they run


def test_get_is_not_allowed(db, client):
    # when
    response = client.get("/graphql/web-usd/", {"query": "{ myJourney { stage } }"})

    # then
    assert response.status_code == 405
    assert response.json() == {
        "errors": [
            {
                "message": "Send GraphQL requests with POST.",
                "extensions": {"exception": {"code": "BadRequest"}},
            }
        ]
    }


def test_malformed_json_body_is_a_bad_request(db, client):
    # when
    response = client.post(
        "/graphql/web-usd/", data="{query: oops", content_type="application/json"
    )

    # then
    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {
                "message": (
                    "The request body is not JSON: Expecting property name enclosed "
                    "in double quotes: line 1 column 2 (char 1)"
                ),
                "extensions": {"exception": {"code": "BadRequest"}},
            }
        ]
    }


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{}", "The request body needs a 'query' string."),
        (
            '[{"query": "{ myJourney { stage } }"}]',
            "The request body needs a 'query' string.",
        ),
        ('{"query": 5}', "The request body needs a 'query' string."),
        (
            '{"query": "{ myJourney { stage } }", "variables": [1]}',
            "'variables' must be an object.",
        ),
        (
            '{"query": "{ myJourney { stage } }", "operationName": 5}',
            "'operationName' must be a string.",
        ),
    ],
)
def test_a_body_without_a_query_string_or_with_bad_members_is_a_bad_request(
    db, client, body, message
):
    # when
    response = client.post(
        "/graphql/web-usd/", data=body, content_type="application/json"
    )

    # then
    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {"message": message, "extensions": {"exception": {"code": "BadRequest"}}}
        ]
    }


def test_invalid_query_is_a_bad_request_without_data(db, client):
    # when
    response = graphql(
        client, "{ myJourney { shoeSize } }", token=issue_token(user_id="1")
    )

    # then
    assert response.status_code == 400
    assert response.json() == {
        "data": None,
        "errors": [
            {
                "message": 'Cannot query field "shoeSize" on type "Journey".',
                "locations": [{"line": 1, "column": 15}],
            }
        ],
    }


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


# CORS


def test_preflight_allows_cross_origin_posts_with_authorization(db, client):
    # when
    response = client.options(
        "/graphql/web-usd/",
        HTTP_ORIGIN="https://shop.example.com",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type",
    )

    # then
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Access-Control-Allow-Methods"] == "POST, OPTIONS"
    allowed = [h.strip() for h in response["Access-Control-Allow-Headers"].split(",")]
    assert "Authorization" in allowed
    assert "Content-Type" in allowed


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        pytest.param(SHOP, SHOP, id="allowed-origin"),
        pytest.param("https://evil.example.com", None, id="other-origin"),
        pytest.param(None, None, id="no-origin"),
    ],
)
@pytest.mark.parametrize(
    ("method", "channel", "status"),
    [
        pytest.param("POST", "web-usd", 200, id="answer"),
        pytest.param("POST", "web-eur", 404, id="unknown-channel"),
        pytest.param("GET", "web-usd", 405, id="wrong-method"),
        pytest.param("OPTIONS", "web-usd", 200, id="preflight"),
        pytest.param("OPTIONS", "web-eur", 404, id="preflight-unknown-channel"),
    ],
)
@override_settings(ALLOWED_GRAPHQL_ORIGINS=[SHOP])
def test_with_listed_origins_every_answer_varies_by_origin(
    db, client, origin, allowed, method, channel, status
):
    # given
    headers = {"HTTP_ORIGIN": origin} if origin else {}

    # when
    response = client.generic(
        method,
        f"/graphql/{channel}/",
        data=json.dumps({"query": "{ myJourney { stage } }"}),
        content_type="application/json",
        **headers,
    )

    # then
    assert response.status_code == status
    assert response["Vary"] == "Origin"
    assert response.headers.get("Access-Control-Allow-Origin") == allowed


@pytest.mark.parametrize("origin", [SHOP, None], ids=["origin", "no-origin"])
def test_with_any_origin_allowed_answers_do_not_vary(db, client, origin):
    # given
    headers = {"HTTP_ORIGIN": origin} if origin else {}

    # when
    response = graphql(client, "{ myJourney { stage } }", **headers)

    # then
    assert response["Access-Control-Allow-Origin"] == "*"
    assert not response.has_header("Vary")


@pytest.mark.parametrize("method", ["POST", "OPTIONS"])
def test_a_channel_without_a_journey_is_not_found(db, client, method):
    # when: a signed-in customer's query, or its preflight
    response = client.generic(
        method,
        "/graphql/web-eur/",
        data=json.dumps({"query": "{ myJourney { stage } }"}),
        content_type="application/json",
        HTTP_ORIGIN=SHOP,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_AUTHORIZATION=f"Bearer {issue_token(user_id='1')}",
    )

    # then
    assert response.status_code == 404
    assert response.json() == {
        "errors": [
            {
                "message": "No journey in channel 'web-eur'.",
                "extensions": {"exception": {"code": "BadRequest"}},
            }
        ]
    }


# Authentication


@pytest.mark.parametrize(
    "token",
    [
        pytest.param("garbage", id="garbage"),
        pytest.param(
            signing.dumps({"user_id": "1", "permissions": ["MANAGE_USERS"]}, salt="x"),
            id="other-salt",
        ),
        pytest.param(
            signing.dumps(
                {"user_id": "1", "permissions": ["MANAGE_USERS"]},
                key="not-the-store-secret",
                salt=TOKEN_SALT,
            ),
            id="other-key",
        ),
        pytest.param(tampered(issue_token(user_id="1")), id="tampered"),
    ],
)
def test_forged_token_is_unauthorized(db, client, token):
    # when
    response = graphql(client, "{ myJourney { stage } }", token=token)

    # then
    assert response.status_code == 401
    assert response.json() == {
        "errors": [
            {
                "message": "Invalid token.",
                "extensions": {"exception": {"code": "InvalidToken"}},
            }
        ]
    }


def test_token_command_prints_a_token_the_api_accepts(db, client, store):
    # given: a staff token from the example store's command
    out = StringIO()
    call_command("journey_token", "--permission", "MANAGE_USERS", stdout=out)
    store.event(E.ORDER_PLACED, "order:1:placed", email="t@example.com")

    # when
    response = client.post(
        "/graphql/web-usd/",
        data=json.dumps({"query": "{ stageDistribution { total } }"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {out.getvalue().strip()}",
    )

    # then
    assert response.json() == {"data": {"stageDistribution": {"total": 1}}}
