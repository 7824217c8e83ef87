"""Project-wide pytest plugins: the one browser fixture (banshi/core/tests/browser.py)."""

pytest_plugins = ["banshi.core.tests.browser"]
