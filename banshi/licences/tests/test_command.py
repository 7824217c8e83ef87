"""``banshi licences keygen|verify|expire|remind``."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from banshi.cases.tests.factories import make_person
from banshi.catalog.models import LicenceType
from banshi.core import clock
from banshi.licences import keys, services
from banshi.licences.models import Licence, SigningKey

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("licences", *args, stdout=out)
    return out.getvalue()


def test_keygen_makes_a_key_with_the_chosen_algorithm_and_credit_code(catalogue):
    text = run(
        "keygen", "--department", "XF", "--algorithm", "ed25519", "--uscc", "11430000006122244L"
    )
    key = SigningKey.objects.get(department__code="XF")
    assert key.algorithm == "ed25519" and key.issuer_code == "11430000006122244L"
    assert key.fingerprint in text and keys.path_of(key.fingerprint).exists()


def test_keygen_refuses_an_unknown_department_and_a_bad_credit_code(catalogue):
    with pytest.raises(CommandError, match="unknown department"):
        run("keygen", "--department", "NOPE")
    with pytest.raises(CommandError):
        run("keygen", "--department", "XF", "--uscc", "11430000006122244A")


def test_verify_prints_valid_or_the_reasons_and_exits_1(catalogue):
    licence = services.record_existing("YYZZ", holder_person=make_person())
    assert "有效 / valid" in run("verify", licence.identifier)
    Licence.objects.filter(pk=licence.pk).update(holder_name="冒名")
    out = StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("licences", "verify", licence.identifier, stdout=out)
    assert exit_.value.code == 1 and "签名与证照内容不符" in out.getvalue()


def test_expire_and_remind_report_their_counts(catalogue):
    LicenceType.objects.filter(code="YYZZ").update(valid_years=1)
    with clock.frozen(dt.date(2025, 3, 3)):
        services.record_existing("YYZZ", holder_person=make_person())
    assert run("remind", "--today", "2026-02-20") == "reminders queued: 1\n"
    assert run("expire", "--today", "2026-03-03") == "expired: 1\n"
