"""Debian's Chromium for every browser test: the journey map page, the
campaign emails, the App's Dashboard pages.

`make test` checks for it first (and installs Debian's package as root);
JOURNEY_CHROMIUM points the tests at another build. A missing browser is a
failure, not a skip: a run without the browser tests must not read as a pass.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("JOURNEY_CHROMIUM") or "/usr/bin/chromium")
ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
CHROMIUM_MISSING = (
    f"Chromium is not installed at {CHROMIUM}: the browser tests need it. Run "
    "`sudo apt-get install chromium` (Debian/Ubuntu), or point JOURNEY_CHROMIUM "
    "at a Chromium or Chrome binary."
)


@contextmanager
def chromium(*extra_args: str) -> Iterator[Any]:
    """A launched Chromium (Playwright's Browser), closed afterwards."""
    if not CHROMIUM.is_file():
        pytest.fail(CHROMIUM_MISSING, pytrace=False)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread, which
    # Django takes for async code: the tests' own database calls are not.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "1"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=[*ARGS, *extra_args]
            )
            yield browser
            browser.close()
    finally:
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous
