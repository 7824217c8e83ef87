"""Fixtures: the case engine's test catalogue, fresh caches, a real SMTP server on 127.0.0.1."""

from __future__ import annotations

import pytest

from banshi.cases.tests.factories import load_catalogue
from banshi.catalog.selectors import invalidate_snapshot
from banshi.workdays.services import reset_calendar_cache


@pytest.fixture(autouse=True)
def _fresh_caches():
    invalidate_snapshot()
    reset_calendar_cache()
    yield
    invalidate_snapshot()
    reset_calendar_cache()


@pytest.fixture
def catalogue(db):
    return load_catalogue()


class SmtpSink:
    """aiosmtpd handler keeping every envelope it receives."""

    def __init__(self) -> None:
        self.envelopes: list = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server (aiosmtpd) on a random loopback port; settings point at it."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sink = SmtpSink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings.BANSHI_SMTP_HOST = "127.0.0.1"
    settings.BANSHI_SMTP_PORT = port
    settings.BANSHI_EMAIL_FROM = "办事平台 <noreply@banshi.test>"
    yield sink
    controller.stop()
