"""The rate limit of the public progress look-up (§4.3 自助查询 by number + phone): a ticket number
is not a secret, so guessing the phone must not be possible by brute force."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client, override_settings

from banshi.appeals import services, throttle
from banshi.appeals.errors import NotFound, TooManyAttempts
from banshi.appeals.models import TrackingFailure
from banshi.appeals.tests.factories import MONDAY, taken_in
from banshi.core import clock

pytestmark = pytest.mark.django_db

RIGHT = "13800001234"
NOON = dt.datetime.combine(MONDAY, dt.time(12, 0), tzinfo=dt.UTC)


def _fail(number: str, times: int, ip: str = "10.0.0.1") -> None:
    for n in range(times):
        with pytest.raises(NotFound):
            services.find_for_caller(number, f"1390000{n:04d}", client_ip=ip)


@override_settings(BANSHI_APPEAL_TRACK_MAX_FAILURES=3, BANSHI_APPEAL_TRACK_WINDOW_MINUTES=15)
def test_guessing_phones_for_one_number_is_stopped_even_from_many_addresses():
    appeal = taken_in(None, channel="web")
    with clock.frozen(NOON):
        for n, ip in enumerate(["10.0.0.1", "10.0.0.2", "10.0.0.3"]):
            with pytest.raises(NotFound):
                services.find_for_caller(appeal.number, f"1390000{n:04d}", client_ip=ip)
        with pytest.raises(TooManyAttempts) as refused:
            services.find_for_caller(appeal.number, RIGHT, client_ip="10.0.0.9")
    assert "查询失败次数过多" in refused.value.zh and "too many failed" in refused.value.en
    assert refused.value.status == 429


@override_settings(BANSHI_APPEAL_TRACK_MAX_FAILURES=3, BANSHI_APPEAL_TRACK_WINDOW_MINUTES=15)
def test_one_address_trying_many_numbers_is_stopped():
    appeal = taken_in(None, channel="web")
    with clock.frozen(NOON):
        for n in range(3):
            with pytest.raises(NotFound):
                services.find_for_caller(f"12345-20250303-99999{n}", RIGHT, client_ip="10.0.0.7")
        with pytest.raises(TooManyAttempts):
            services.find_for_caller(appeal.number, RIGHT, client_ip="10.0.0.7")
        # another address, another number: not affected
        assert services.find_for_caller(appeal.number, RIGHT, client_ip="10.0.0.8") == appeal


@override_settings(BANSHI_APPEAL_TRACK_MAX_FAILURES=3, BANSHI_APPEAL_TRACK_WINDOW_MINUTES=15)
def test_the_limit_lifts_when_the_failures_leave_the_window_and_the_scan_forgets_them():
    appeal = taken_in(None, channel="web")
    with clock.frozen(NOON):
        _fail(appeal.number, 3)
    with clock.frozen(NOON + dt.timedelta(minutes=14)):
        with pytest.raises(TooManyAttempts) as refused:
            services.find_for_caller(appeal.number, RIGHT)
        assert "1 分钟后再试" in refused.value.zh
    with clock.frozen(NOON + dt.timedelta(minutes=16)):
        assert services.find_for_caller(appeal.number, RIGHT) == appeal
        assert throttle.forget_old() == 3
    assert not TrackingFailure.objects.exists()


@override_settings(BANSHI_APPEAL_TRACK_MAX_FAILURES=10)
def test_below_the_limit_a_right_look_up_still_works():
    appeal = taken_in(None, channel="web")
    with clock.frozen(NOON):
        _fail(appeal.number, 9)
        assert services.find_for_caller(appeal.number, RIGHT, client_ip="10.0.0.1") == appeal


@override_settings(BANSHI_APPEAL_TRACK_MAX_FAILURES=2)
def test_tracking_page_refuses_with_429_in_chinese_and_english_and_says_when_to_retry():
    appeal = taken_in(None, channel="web")
    client = Client()
    with clock.frozen(NOON):
        for phone in ("13900000001", "13900000002"):
            wrong = client.post("/appeals/track/", {"number": appeal.number, "phone": phone})
            assert wrong.status_code == 404
        refused = client.post("/appeals/track/", {"number": appeal.number, "phone": RIGHT})
    page = refused.content.decode()
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "查询失败次数过多" in page and "too many failed look-ups" in page
    assert appeal.number in page  # what was typed is kept
    assert f"/appeals/track/{appeal.number}/" not in refused.get("Location", "")


def test_the_limit_is_configuration_from_the_environment(monkeypatch):
    monkeypatch.setenv("BANSHI_APPEAL_TRACK_MAX_FAILURES", "4")
    with override_settings():
        from django.conf import settings

        del settings.BANSHI_APPEAL_TRACK_MAX_FAILURES
        assert throttle.max_failures() == 4


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        ("203.0.113.7", "", "203.0.113.7"),  # no proxy: the peer
        ("203.0.113.7", "10.9.9.9", "203.0.113.7"),  # an untrusted peer cannot name another
        ("127.0.0.1", "198.51.100.4", "198.51.100.4"),  # nginx on the host names the client
        ("127.0.0.1", "6.6.6.6, 198.51.100.4", "198.51.100.4"),  # the forged left part is ignored
        ("127.0.0.1", "198.51.100.4, 127.0.0.1", "198.51.100.4"),  # a chain of trusted proxies
        ("127.0.0.1", "", None),  # a proxy naming nobody: no per-address limit
        ("127.0.0.1", "not-an-ip", None),
    ],
)
def test_the_client_address_behind_a_trusted_proxy(rf, remote, forwarded, expected):
    meta = {"REMOTE_ADDR": remote}
    if forwarded:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    assert throttle.client_address(rf.get("/appeals/track/", **meta)) == expected


@override_settings(BANSHI_APPEAL_TRACK_MAX_FAILURES=2)
def test_callers_behind_the_same_proxy_do_not_block_each_other():
    """Behind nginx every request comes from 127.0.0.1: the limit follows X-Forwarded-For."""
    appeal = taken_in(None, channel="web")
    other = taken_in(None, channel="web")
    attacker = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.66")
    with clock.frozen(NOON):
        for phone in ("13900000001", "13900000002", "13900000003"):
            attacker.post("/appeals/track/", {"number": appeal.number, "phone": phone})
        caller = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.4")
        found = caller.post("/appeals/track/", {"number": other.number, "phone": RIGHT})
    assert found.status_code == 302
