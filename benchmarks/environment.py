"""A fresh PostgreSQL database and an empty Redis broker for one benchmark run.

:func:`configure` must run before Django is imported and set up: the example
store reads DATABASE_URL and CELERY_BROKER_URL at import time.
"""

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import redis

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
# Overridable to run two benchmarks side by side.
DATABASE_NAME = os.environ.get("BENCH_DATABASE", "journey_bench")
DATABASE_URL = f"{PG_SERVER}/{DATABASE_NAME}"
BROKER_URL = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/14")


def configure() -> dict[str, str]:
    """Point this process (and the workers it starts) at the benchmark services."""
    os.environ.update(
        DJANGO_SETTINGS_MODULE="example_store.settings",
        DATABASE_URL=DATABASE_URL,
        CELERY_BROKER_URL=BROKER_URL,
        # Production-like: no query log kept in memory on every cursor.
        DEBUG="0",
        LOG_LEVEL="WARNING",
    )
    path = os.environ.get("PYTHONPATH", "")
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), path) if p)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    return dict(os.environ)


def database_exists() -> bool:
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        found = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]
        ).fetchone()
    return found is not None


def recreate_database() -> None:
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DATABASE_NAME}")


def migrate() -> None:
    """Run the migrations in a child process, so this one starts clean."""
    subprocess.run(
        [sys.executable, "-m", "django", "migrate", "-v0", "--no-input"],
        cwd=ROOT,
        env=dict(os.environ),
        check=True,
    )


def flush_broker() -> None:
    redis.Redis.from_url(BROKER_URL).flushdb()


def broker() -> "redis.Redis":
    return redis.Redis.from_url(BROKER_URL)
