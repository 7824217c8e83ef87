"""Data sharing: the local provider answers from the platform's profiles; the HTTP provider talks to
a real exchange (a small server on 127.0.0.1); a source that is down gives the applicant the upload
option instead of an error; every call is recorded with who asked, why and what came back."""

from __future__ import annotations

import socket

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings

from banshi.audit.models import Action, AuditEntry
from banshi.audit.services import verify
from banshi.datashare import services
from banshi.datashare.models import DataShareCall, DataShareSource
from banshi.people import services as people

pytestmark = pytest.mark.django_db
CITIZEN_ID = "310115198506150022"
USCC = "91350100M000100Y43"
PURPOSE = "受理办件 BS-1 材料核验"


@pytest.fixture
def citizen():
    return people.register_person(CITIZEN_ID, "李娜", phone="13800000001")


@pytest.fixture
def clerk():
    return get_user_model().objects.create_user("clerk")


def _http_source(url: str, **kwargs) -> DataShareSource:
    return DataShareSource.objects.create(
        code="人口信息库", provider="http", base_url=url, timeout_seconds=2, **kwargs
    )


def _free_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/verify"  # nothing listens there any more


# ---------------------------------------------------------------------------------- local
def test_local_provider_answers_from_the_person_profile(citizen, clerk):
    result = services.fetch("人口信息库", citizen, "ID-CARD", purpose=PURPOSE, actor=clerk)
    assert result.ok and result.data["id_number"] == CITIZEN_ID


def test_local_provider_answers_from_the_enterprise_profile(citizen):
    enterprise = people.register_enterprise(
        USCC, "示例餐饮管理有限公司", legal_representative=citizen
    )
    result = services.fetch("企业库", enterprise, "YYZZ", purpose=PURPOSE)
    assert result.ok and result.data["uscc"] == USCC


def test_local_provider_not_found_for_an_unknown_person():
    from banshi.datashare.providers import ShareSubject

    result = services.fetch(
        "人口信息库",
        ShareSubject("person", "11010519491231002X", "某某"),
        "ID-CARD",
        purpose=PURPOSE,
    )
    assert result.outcome == "not_found"


# ----------------------------------------------------------------------------------- http
def test_http_provider_ok_with_token_and_purpose(exchange, citizen, clerk):
    exchange.records[CITIZEN_ID] = {
        "name": "李娜",
        "household": "上海市浦东新区",
        "phone": "13800000001",
    }
    source = _http_source(exchange.url, credentials_ref="rk")
    with override_settings(BANSHI_DATASHARE_CREDENTIALS={"rk": "s3cret"}):
        result = services.fetch(
            source, citizen, "ID-CARD", purpose=PURPOSE, case="BS-1", actor=clerk
        )
    assert result.ok and result.data["household"] == "上海市浦东新区"
    (asked,) = exchange.requests
    assert asked["auth"] == "Bearer s3cret"
    assert asked["body"]["purpose"] == PURPOSE and asked["body"]["case"] == "BS-1"


def test_http_provider_not_found(exchange, citizen):
    result = services.fetch(_http_source(exchange.url), citizen, "ID-CARD", purpose=PURPOSE)
    assert result.outcome == "not_found"


def test_http_provider_server_error_is_an_error_outcome(exchange, citizen):
    exchange.status = 500
    result = services.fetch(_http_source(exchange.url), citizen, "ID-CARD", purpose=PURPOSE)
    assert result.outcome == "error" and "HTTP 500" in result.error


def test_http_provider_down_is_an_error_outcome_not_an_exception(citizen):
    result = services.fetch(_http_source(_free_port_url()), citizen, "ID-CARD", purpose=PURPOSE)
    assert result.outcome == "error" and "无法连接" in result.error


def test_http_provider_timeout_is_an_error_outcome(exchange, citizen):
    exchange.delay = 1.0
    source = _http_source(exchange.url)
    source.timeout_seconds = 0.2
    source.save()
    result = services.fetch(source, citizen, "ID-CARD", purpose=PURPOSE)
    assert result.outcome == "error" and "超时" in result.error


def test_missing_credentials_are_an_error_not_an_anonymous_call(exchange, citizen):
    source = _http_source(exchange.url, credentials_ref="absent")
    result = services.fetch(source, citizen, "ID-CARD", purpose=PURPOSE)
    assert result.outcome == "error" and exchange.requests == []


def test_a_switched_off_source_is_not_called(exchange, citizen):
    source = _http_source(exchange.url, enabled=False)
    assert services.fetch(source, citizen, "ID-CARD", purpose=PURPOSE).outcome == "error"
    assert exchange.requests == []


# ------------------------------------------------------------------------------- recording
def test_every_call_is_recorded_with_who_why_and_a_minimised_answer(exchange, citizen, clerk):
    exchange.records[CITIZEN_ID] = {"name": "李娜", "phone": "13800000001", "id": CITIZEN_ID}
    source = _http_source(exchange.url)
    services.fetch(source, citizen, "ID-CARD", purpose=PURPOSE, case="BS-1", actor=clerk)
    exchange.status = 503
    services.fetch(source, citizen, "ID-CARD", purpose=PURPOSE, case="BS-1", actor=clerk)
    ok, failed = DataShareCall.objects.order_by("pk")
    assert (ok.user, ok.case_number, ok.purpose, ok.outcome) == (clerk, "BS-1", PURPOSE, "ok")
    assert failed.outcome == "error" and "503" in failed.error
    stored = str(ok.response_summary) + ok.subject_label
    assert CITIZEN_ID not in stored and "13800000001" not in stored and "李娜" not in stored
    assert ok.response_summary["phone"] == "138****0001"
    entries = AuditEntry.objects.filter(action=Action.DATA_SHARE).order_by("sequence")
    assert [e.details["outcome"] for e in entries] == ["ok", "error"]
    assert entries[0].actor_id == clerk.pk and entries[0].case_number == "BS-1"
    assert verify().ok


def test_a_call_without_a_purpose_is_refused(citizen):
    with pytest.raises(services.DataShareError, match="用途"):
        services.fetch("人口信息库", citizen, "ID-CARD", purpose="")
    assert not DataShareCall.objects.exists()


# ---------------------------------------------------------------------------- verification
def test_verify_material_verified_then_cached(exchange, citizen):
    exchange.records[CITIZEN_ID] = {"name": "李娜"}
    source = _http_source(exchange.url)
    assert services.verify_material("ID-CARD", source, citizen, purpose=PURPOSE).verified
    assert services.verify_material("ID-CARD", source, citizen, purpose=PURPOSE).verified
    assert len(exchange.requests) == 1


def test_a_source_that_is_down_makes_the_material_unavailable_not_an_error(citizen):
    source = _http_source(_free_port_url())
    answer = services.verify_material("ID-CARD", source, citizen, purpose=PURPOSE)
    assert answer.status == services.UNAVAILABLE and "暂时无法核验" in answer.reason_zh


def test_an_unconfigured_source_may_be_declared_unavailable(citizen):
    with override_settings(BANSHI_DATASHARE_UNCONFIGURED="none"):
        answer = services.verify_material("ID-CARD", "无此来源", citizen, purpose=PURPOSE)
    assert not answer.verified
