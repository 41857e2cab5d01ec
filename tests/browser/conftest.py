"""Debian's Chromium for tests that drive the review app (servers: review_server.py).

The browser is the system's /usr/bin/chromium (installed by
scripts/test-services.sh); nothing is downloaded.
"""

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_launch import CHROMIUM, CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "browser: drives the review app in Chromium")


@pytest.fixture(scope="module")
def browser() -> Iterator:
    """One Chromium per test module. Playwright's sync API keeps an event loop running
    while it is open, so it must be closed before other modules call asyncio.run()."""
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} not found: run scripts/test-services.sh")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
