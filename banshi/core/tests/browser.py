"""The one Playwright + Debian chromium fixture of the browser tests (imported by each module).

Without playwright or chromium a browser test is skipped with the reason; with
``BANSHI_REQUIRE_BROWSER=1`` (CI) that is a failure instead, so nothing is skipped there.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

SCREENSHOTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def unavailable(reason: str) -> None:
    """Skip with ``reason``, or fail where the browser is required (CI)."""
    if os.environ.get("BANSHI_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (BANSHI_REQUIRE_BROWSER=1)")
    pytest.skip(reason)


def chromium_path() -> str | None:
    return shutil.which("chromium") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
    )


@pytest.fixture(scope="module")
def browser():
    """Headless Debian chromium for one test module."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("playwright not installed: pip install playwright")
    executable = chromium_path()
    if executable is None:
        unavailable("Debian chromium not installed: apt-get install chromium")
    # Playwright's sync API runs an event loop in this thread; Django's ORM then refuses to run
    # in the same thread unless told it is safe (the test server runs in its own thread anyway).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            launched = playwright.chromium.launch(
                executable_path=executable, headless=True, args=CHROMIUM_ARGS
            )
            yield launched
            launched.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous
