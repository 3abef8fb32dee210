"""Without Chromium the browser tests fail, saying what to run: a run that
left them out must not read as a pass.

The check runs one browser test in a fresh pytest process pointed at a
Chromium that is not there (its own test database name, never created: the
browser fixture fails before any test asks for the database).
"""

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ONE_TEST = (
    "tests/browser/test_journey_map_page.py::test_on_a_phone_the_page_fits_the_screen"
)


def test_a_missing_chromium_fails_the_run_and_says_what_to_run(tmp_path):
    # given: a Chromium path with nothing at it
    missing = tmp_path / "no-chromium"
    env = {
        **os.environ,
        "JOURNEY_CHROMIUM": str(missing),
        "DATABASE_URL": os.environ.get(
            "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/journey"
        )
        + "_no_chromium",
    }

    # when
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", ONE_TEST],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )

    # then: an error, not a skip, naming the path and the command
    assert run.returncode == 1, run.stdout + run.stderr
    assert "1 error" in run.stdout
    assert "skipped" not in run.stdout
    assert f"Chromium is not installed at {missing}" in run.stdout
    assert "sudo apt-get install chromium" in run.stdout
