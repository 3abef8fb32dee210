"""The example store's security defaults: its secret, tokens, DEBUG, logging, auth.

The API checks go through the test client against ``/graphql/web-usd/``. The
settings themselves (secret file, DEBUG, logging) are read where they take
effect: in a fresh ``example_store`` process with a temporary secret file and
SQLite database, so the repository and this test run are left alone.
"""

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import time
from contextlib import contextmanager
from io import StringIO
from pathlib import Path
from unittest import mock

import pytest
from django.core import signing
from django.core.management import call_command
from django.core.management.base import CommandError

from example_store.host import TOKEN_SALT, issue_token

REPO = Path(__file__).resolve().parent.parent
URL = "/graphql/web-usd/"
DISTRIBUTION = "{ stageDistribution { total } }"
EMPTY_DISTRIBUTION = {"data": {"stageDistribution": {"total": 0}}}
STAFF = ["MANAGE_USERS"]
FOUR_HOURS = 4 * 60 * 60
OLD_FIXED_KEY = "example-store-not-secret"
# Settings read from the environment; a subprocess starts without them.
STORE_ENV = (
    "SECRET_KEY",
    "DEBUG",
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "LOG_LEVEL",
    "EXAMPLE_STORE_TOKEN_MAX_AGE",
    "EXAMPLE_STORE_SECRET_FILE",
    "EXAMPLE_STORE_DB",
)
LOG_LINE = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (?P<level>[A-Z]+) (?P<name>[\w.]+): "
    r"(?P<message>.*)$"
)


def post(client, authorization=None, query=DISTRIBUTION):
    headers = {} if authorization is None else {"HTTP_AUTHORIZATION": authorization}
    return client.post(
        URL,
        data=json.dumps({"query": query}),
        content_type="application/json",
        **headers,
    )


def unauthorized(message):
    return {
        "errors": [
            {"message": message, "extensions": {"exception": {"code": "InvalidToken"}}}
        ]
    }


@contextmanager
def clock_back(seconds):
    """Make what runs inside happen ``seconds`` ago (token signing reads time)."""
    with mock.patch("time.time", return_value=time.time() - seconds):
        yield


def store_env(tmp_path, **env):
    environment = {k: v for k, v in os.environ.items() if k not in STORE_ENV}
    environment.update(
        DJANGO_SETTINGS_MODULE="example_store.settings",
        EXAMPLE_STORE_SECRET_FILE=str(tmp_path / "secret_key"),
        EXAMPLE_STORE_DB=str(tmp_path / "db.sqlite3"),
    )
    environment.update(env)
    return {k: v for k, v in environment.items() if v is not None}


def store_python(tmp_path, code, **env):
    """Run ``code`` in a new process on the example store's own settings."""
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env=store_env(tmp_path, **env),
        capture_output=True,
        text=True,
        timeout=120,
    )


PRINT_SECRET = (
    "import django; django.setup(); from django.conf import settings; "
    "print(settings.SECRET_KEY)"
)


# 1. The secret key


def test_secret_key_is_made_on_first_run_private_and_kept(tmp_path):
    secret_file = tmp_path / "secret_key"

    # when: the store runs for the first time
    check = subprocess.run(
        [sys.executable, "-m", "example_store", "check"],
        cwd=REPO,
        env=store_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )

    # then: a random key is written, readable by its owner only
    assert check.returncode == 0, check.stderr
    assert "System check identified no issues" in check.stdout
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    key = secret_file.read_text().strip()
    assert len(key) >= 50
    assert key != OLD_FIXED_KEY
    # and later runs use the same key
    later = store_python(tmp_path, PRINT_SECRET)
    assert later.returncode == 0, later.stderr
    assert later.stdout.strip() == key
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret_key"]


def test_each_installation_gets_its_own_secret_key(tmp_path):
    keys = []
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        result = store_python(tmp_path / name, PRINT_SECRET)
        assert result.returncode == 0, result.stderr
        keys.append(result.stdout.strip())

    assert keys[0] != keys[1]


def test_processes_starting_together_share_one_secret_key(tmp_path):
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", PRINT_SECRET],
            cwd=REPO,
            env=store_env(tmp_path),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(6)
    ]
    keys = set()
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        keys.add(out.strip())

    assert keys == {(tmp_path / "secret_key").read_text().strip()}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret_key"]


def test_secret_key_from_the_environment_wins(tmp_path):
    result = store_python(tmp_path, PRINT_SECRET, SECRET_KEY="k" * 60)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "k" * 60
    assert not (tmp_path / "secret_key").exists()


def test_a_damaged_secret_file_stops_the_store(tmp_path):
    (tmp_path / "secret_key").write_text("short\n")

    result = store_python(tmp_path, PRINT_SECRET)

    assert result.returncode != 0
    assert "holds no usable secret key" in result.stderr


@pytest.mark.skipif(
    shutil.which("git") is None or not (REPO / ".git").exists(),
    reason="not a git checkout",
)
def test_default_secret_file_sits_next_to_the_settings_and_git_ignores_it(tmp_path):
    # when: the settings are read without a secret in the environment
    result = store_python(tmp_path, PRINT_SECRET, EXAMPLE_STORE_SECRET_FILE=None)

    # then
    assert result.returncode == 0, result.stderr
    secret_file = REPO / "example_store" / ".secret_key"
    assert result.stdout.strip() == secret_file.read_text().strip()
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", "example_store/.secret_key"], cwd=REPO
    )
    assert ignored.returncode == 0


def test_token_signed_with_the_old_published_key_is_refused(db, client):
    forged = signing.dumps(
        {
            "user_id": "",
            "email": "",
            "permissions": STAFF,
            "expires": int(time.time()) + 60,
        },
        key=OLD_FIXED_KEY,
        salt=TOKEN_SALT,
    )

    response = post(client, f"Bearer {forged}")

    assert response.status_code == 401
    assert response.json() == unauthorized("Invalid token.")


# 2. Token lifetime


def test_tokens_live_four_hours_by_default(db, client, settings):
    assert settings.EXAMPLE_STORE_TOKEN_MAX_AGE == FOUR_HOURS
    with clock_back(FOUR_HOURS - 60):
        fresh = issue_token(permissions=STAFF)
    with clock_back(FOUR_HOURS + 1):
        stale = issue_token(permissions=STAFF)

    assert post(client, f"Bearer {fresh}").json() == EMPTY_DISTRIBUTION
    response = post(client, f"Bearer {stale}")
    assert response.status_code == 401
    assert response.json() == unauthorized("Token expired.")


def test_token_max_age_setting_bounds_tokens_already_issued(db, client, settings):
    with clock_back(120):
        token = issue_token(permissions=STAFF)  # given four hours
    settings.EXAMPLE_STORE_TOKEN_MAX_AGE = 60

    response = post(client, f"Bearer {token}")

    assert response.status_code == 401
    assert response.json() == unauthorized("Token expired.")


def _command_token(*args):
    out = StringIO()
    call_command("journey_token", "--permission", "MANAGE_USERS", *args, stdout=out)
    return out.getvalue().strip()


def test_token_command_expires_in_seconds(db, client):
    with clock_back(30):
        fresh = _command_token("--expires-in", "60")
    with clock_back(61):
        stale = _command_token("--expires-in", "60")

    assert post(client, f"Bearer {fresh}").json() == EMPTY_DISTRIBUTION
    response = post(client, f"Bearer {stale}")
    assert response.status_code == 401
    assert response.json() == unauthorized("Token expired.")


def test_token_command_defaults_to_the_max_age(db, client):
    with clock_back(FOUR_HOURS - 60):
        fresh = _command_token()
    with clock_back(FOUR_HOURS + 1):
        stale = _command_token()

    assert post(client, f"Bearer {fresh}").json() == EMPTY_DISTRIBUTION
    assert post(client, f"Bearer {stale}").status_code == 401


@pytest.mark.parametrize("seconds", ["0", "-5", str(FOUR_HOURS + 1)])
def test_token_command_refuses_a_lifetime_outside_the_max_age(seconds):
    with pytest.raises(CommandError, match=rf"^A token lives 1 to {FOUR_HOURS} "):
        _command_token("--expires-in", seconds)


def test_token_without_an_expiry_is_refused(db, client):
    # Signed with the store's key (say, before tokens expired) but no "expires".
    token = signing.dumps({"user_id": "", "permissions": STAFF}, salt=TOKEN_SALT)

    response = post(client, f"Bearer {token}")

    assert response.status_code == 401
    assert response.json() == unauthorized("Invalid token.")


# 3. DEBUG


@pytest.mark.parametrize(
    ("debug", "expected"),
    [(None, "False"), ("0", "False"), ("", "False"), ("1", "True")],
)
def test_debug_is_off_unless_the_environment_says_debug_1(tmp_path, debug, expected):
    result = store_python(
        tmp_path,
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.DEBUG)",
        DEBUG=debug,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


TOO_LARGE = """
import django, json
django.setup()
from django.test import Client
response = Client().post(
    "/graphql/web-usd/", data=b"x" * (10 * 1024 * 1024), content_type="application/json"
)
print(json.dumps({"status": response.status_code, "body": response.content.decode()}))
"""


def test_too_large_body_gets_a_json_413_not_a_debug_page(tmp_path):
    result = store_python(tmp_path, TOO_LARGE)

    assert result.returncode == 0, result.stderr
    response = json.loads(result.stdout)
    assert response["status"] == 413
    assert json.loads(response["body"]) == {
        "errors": [
            {
                "message": "The request body is 10485760 bytes; at most 100000 "
                "are allowed.",
                "extensions": {"exception": {"code": "RequestTooLarge"}},
            }
        ]
    }
    for leak in ("DEBUG", "Traceback", "RequestDataTooBig", "settings", "/work"):
        assert leak not in response["body"]


# 4. Logging

GRAPHQL_CALL = """
import django, json
django.setup()
from django.test import Client
from example_store.host import issue_token
token = issue_token(permissions={permissions!r})
query = "{{ " + " ".join(
    f"a{{i}}: stageDistribution {{{{ total }}}}" for i in range({aliases})
) + " }}"
response = Client().post(
    "/graphql/web-usd/",
    data=json.dumps({{"query": query}}),
    content_type="application/json",
    **({{"HTTP_AUTHORIZATION": "Bearer " + token}} if {permissions!r} else {{}}),
)
print(json.dumps(response.json()))
"""


def test_graphql_core_logs_nothing_for_errors_the_api_returns(tmp_path):
    # given: 125 aliases (as many as the field limit lets through) of a field
    # an anonymous caller may not read
    code = GRAPHQL_CALL.format(permissions=[], aliases=125)

    # when
    result = store_python(tmp_path, code)

    # then: 125 errors answered, none printed
    assert result.returncode == 0, result.stderr
    errors = json.loads(result.stdout)["errors"]
    assert len(errors) == 125
    assert {e["extensions"]["exception"]["code"] for e in errors} == {
        "PermissionDenied"
    }
    assert result.stderr == ""


def test_an_unexpected_resolver_error_is_logged_once_by_the_plugin(tmp_path):
    # given: a staff call on a database that was never migrated
    code = GRAPHQL_CALL.format(permissions=STAFF, aliases=1)

    # when
    result = store_python(tmp_path, code)

    # then: one record with time, level and logger name; graphql-core says nothing
    assert result.returncode == 0, result.stderr
    records = [m for m in map(LOG_LINE.match, result.stderr.splitlines()) if m]
    assert [(m["level"], m["name"].split(".")[0]) for m in records] == [
        ("ERROR", "saleor_journey_plugin")
    ]
    assert result.stderr.startswith(records[0].group(0) + "\nTraceback")
    assert "OperationalError: no such table" in result.stderr
    assert "graphql.execution" not in result.stderr


LOG_EACH = """
import django, logging
django.setup()
for name in (
    "graphql.execution.utils",
    "graphql.execution.executor",
    "saleor_journey_plugin.core.processing",
    "django.request",
):
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger(name).exception("from %s", name)
    logging.getLogger(name).critical("critical from %s", name)
"""


def test_logging_keeps_our_errors_and_silences_graphql_core(tmp_path):
    result = store_python(tmp_path, LOG_EACH)

    assert result.returncode == 0, result.stderr
    records = [
        (m["level"], m["name"], m["message"])
        for m in map(LOG_LINE.match, result.stderr.splitlines())
        if m
    ]
    assert records == [
        (
            "ERROR",
            "saleor_journey_plugin.core.processing",
            "from saleor_journey_plugin.core.processing",
        ),
        (
            "CRITICAL",
            "saleor_journey_plugin.core.processing",
            "critical from saleor_journey_plugin.core.processing",
        ),
        ("ERROR", "django.request", "from django.request"),
        ("CRITICAL", "django.request", "critical from django.request"),
    ]
    # Each error once, with its traceback.
    assert result.stderr.count("ValueError: boom") == 2
    assert "graphql" not in result.stderr


# 5. The Authorization header


@pytest.mark.parametrize(
    "authorization",
    [
        pytest.param("Basic abc", id="basic"),
        pytest.param("Bearer", id="bearer-alone"),
        pytest.param("Bearer ", id="bearer-space"),
        pytest.param("Bearer    ", id="bearer-spaces"),
        pytest.param("garbage", id="garbage"),
        pytest.param("Token abc", id="other-scheme"),
        pytest.param("", id="empty"),
    ],
)
def test_authorization_that_is_not_a_bearer_token_is_unauthorized(
    db, client, authorization
):
    response = post(client, authorization)

    assert response.status_code == 401
    assert response.json() == unauthorized(
        "Send the token as 'Authorization: Bearer <token>'."
    )


def test_valid_token_under_another_scheme_is_unauthorized(db, client):
    response = post(client, f"Basic {issue_token(permissions=STAFF)}")

    assert response.status_code == 401


@pytest.mark.parametrize("value", ["Bearer garbage", "Bearer abc def"])
def test_bearer_with_an_unreadable_token_is_unauthorized(db, client, value):
    response = post(client, value)

    assert response.status_code == 401
    assert response.json() == unauthorized("Invalid token.")


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER"])
def test_bearer_scheme_is_case_insensitive(db, client, scheme):
    response = post(client, f"{scheme} {issue_token(permissions=STAFF)}")

    assert response.json() == EMPTY_DISTRIBUTION


def test_no_authorization_header_is_anonymous(db, client):
    response = post(client)

    assert response.status_code == 200
    body = response.json()
    assert body["data"] == {"stageDistribution": None}
    assert [e["extensions"]["exception"]["code"] for e in body["errors"]] == [
        "PermissionDenied"
    ]
