"""创建并提交: ``POST /applications`` with ``"submit": true`` files the draft in one request."""

from __future__ import annotations

import json
import re

import pytest
from django.db import connection
from ninja.responses import NinjaJSONEncoder

from banshi.api.schemas import ApplicationOut, CaseBrief, EventOut
from banshi.api.tests.conftest import Api
from banshi.api.tests.helpers import ANSWERS, draft_body
from banshi.cases.models import (
    Application,
    ApplicationDraft,
    Case,
    CaseEvent,
    DraftStatus,
    OutboxMessage,
)
from banshi.core.tests.marks import postgres_transactions
from banshi.people.models import Consent

pytestmark = pytest.mark.django_db


def _file(api, key: str | None = "once-1", **overrides):
    body = {**draft_body(api), "submit": True, **overrides}
    return api.post("/applications", body, {"Idempotency-Key": key} if key else None), body


def test_one_request_files_the_application_with_a_case_per_item(api):
    response, _ = _file(api)
    assert response.status_code == 201, response.json()
    application = response.json()
    assert application["number"].startswith("BS-") and application["status"] == "submitted"
    assert [case["item_code"] for case in application["cases"]] == ["SCJG-DJ-001", "SCJG-XK-001"]
    assert [event["kind"] for event in application["events"]] == [
        "submitted",
        "received",
        "received",
    ]
    draft = ApplicationDraft.objects.get()
    assert (
        draft.status == DraftStatus.SUBMITTED and draft.application.number == application["number"]
    )
    assert application["draft"] == f"DR-{draft.pk}"
    assert OutboxMessage.objects.filter(topic="application.submitted").count() == 1


def test_the_answer_is_what_tracking_reads_back(api):
    response, _ = _file(api)
    tracked = api.get(f"/applications/{response.json()['number']}")
    assert tracked.status_code == 200
    assert tracked.json() == response.json()


def test_the_answer_has_exactly_the_schema_fields_in_order_and_validates_unchanged(api):
    """The create-and-submit answer skips ninja's response validation: it must still be an
    ``ApplicationOut`` (same fields, same order, nothing the schema would change)."""
    answer = _file(api)[0].json()
    assert list(answer) == list(ApplicationOut.model_fields)
    assert list(answer["cases"][0]) == list(CaseBrief.model_fields)
    assert list(answer["events"][0]) == list(EventOut.model_fields)
    validated = ApplicationOut.model_validate(answer).model_dump()  # what ninja would render
    assert json.loads(json.dumps(validated, cls=NinjaJSONEncoder)) == answer


def test_a_retry_with_the_same_key_and_body_returns_the_same_application_with_200(api):
    first, body = _file(api, key="retry-9")
    again = api.post("/applications", body, {"Idempotency-Key": "retry-9"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert Application.objects.count() == 1 and ApplicationDraft.objects.count() == 1
    assert CaseEvent.objects.filter(kind="submitted").count() == 1


def test_the_same_key_with_another_body_is_422(api):
    assert _file(api, key="k-7")[0].status_code == 201
    response, _ = _file(api, key="k-7", channel="mobile")
    assert response.status_code == 422 and response.json()["code"] == "idempotency_key_reused"
    assert Application.objects.count() == 1


def test_a_key_used_for_a_separate_submit_is_not_reused_here(api):
    draft = api.post("/applications", draft_body(api)).json()["number"]
    assert api.submit(draft, key="shared").status_code == 201
    response, _ = _file(api, key="shared")
    assert response.status_code == 422 and response.json()["code"] == "idempotency_key_reused"


def test_without_an_idempotency_key_it_is_400_and_nothing_is_kept(api):
    response, _ = _file(api, key=None)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["detail"]
    assert not ApplicationDraft.objects.exists() and not Application.objects.exists()


def test_an_unknown_channel_is_400(api):
    response, _ = _file(api, channel="fax")
    assert response.status_code == 400 and "fax" in response.json()["detail"]
    assert not ApplicationDraft.objects.exists()


def test_a_refusal_by_the_pre_review_keeps_nothing_not_even_the_draft_or_consent(api):
    response = api.post(
        "/applications",
        {"bundle_code": "KBCYD", "answers": ANSWERS, "prefill_consent": True, "submit": True},
        {"Idempotency-Key": "blocked-1"},
    )
    assert response.status_code == 422
    assert response.json()["code"] == "prereview_blocked"
    assert {f["code"] for f in response.json()["details"]["findings"]} >= {"LEASE", "shop.address"}
    assert not ApplicationDraft.objects.exists() and not Application.objects.exists()
    assert not Consent.objects.exists()


def test_after_a_refusal_the_same_key_may_be_used_for_the_corrected_request(api):
    refused = api.post(
        "/applications",
        {"bundle_code": "KBCYD", "answers": ANSWERS, "submit": True},
        {"Idempotency-Key": "again-1"},
    )
    assert refused.status_code == 422
    assert _file(api, key="again-1")[0].status_code == 201


@postgres_transactions
def test_concurrent_requests_with_one_key_file_one_application(applicant):
    from banshi.cases.tests.test_concurrency import run_together

    body = {**draft_body(Api(applicant.user)), "submit": True}

    def send():
        response = Api(applicant.user).post("/applications", body, {"Idempotency-Key": "race-1"})
        return response.status_code, response.json()["number"]

    results = run_together([send for _ in range(4)])
    assert sorted(status for status, _ in results) == [200, 200, 200, 201]
    assert {number for _, number in results} == {Application.objects.get().number}
    assert ApplicationDraft.objects.count() == 1


@postgres_transactions
def test_concurrent_filings_get_consecutive_numbers_from_the_day_s_first(applicant):
    """Each filing draws its number in its one statement: the day's first creates the sequence
    row, the others wait on it; numbers are distinct and without gaps."""
    from banshi.cases.tests.test_concurrency import run_together

    body = {**draft_body(Api(applicant.user)), "submit": True}

    def send(key: str):
        def go():
            response = Api(applicant.user).post("/applications", body, {"Idempotency-Key": key})
            return response.status_code, response.json()["number"]

        return go

    results = run_together([send(f"many-{n}") for n in range(4)])
    assert [status for status, _ in results] == [201] * 4
    tails = sorted(int(number.rsplit("-", 1)[1]) for _, number in results)
    assert tails == [1, 2, 3, 4]
    assert {case.number.rsplit("-", 1)[0] for case in Case.objects.all()} == {
        number for _, number in results
    }


def test_the_number_is_taken_after_every_other_write(api):
    from django.test.utils import CaptureQueriesContext

    _file(api, key="warm")  # the day's sequence row exists from here on
    with CaptureQueriesContext(connection) as captured:
        response, _ = _file(api, key="order-1")
    assert response.status_code == 201
    writes = [
        query["sql"].split()[0].upper()
        + (" numbersequence" if "numbersequence" in query["sql"] else "")
        for query in captured.captured_queries
        if query["sql"].split()[0].upper() in ("INSERT", "UPDATE", "WITH")
    ]
    assert any("numbersequence" in write for write in writes)
    after = writes[next(n for n, write in enumerate(writes) if "numbersequence" in write) + 1 :]
    # only the numbering itself follows (on SQLite its two plain updates and the outbox row)
    assert all(write.startswith(("UPDATE", "INSERT")) for write in after)
    assert len(after) <= (0 if connection.vendor == "postgresql" else 3)


def test_a_new_key_is_not_looked_up_before_filing(api):
    """The unique index on the key decides; a fresh request only INSERTs its record."""
    from django.test.utils import CaptureQueriesContext

    _file(api, key="warm")
    with CaptureQueriesContext(connection) as captured:
        assert _file(api, key="fresh-1")[0].status_code == 201
    touching = [
        query["sql"].split()[0].upper()
        for query in captured.captured_queries
        if "api_idempotencyrecord" in query["sql"]
    ]
    # on PostgreSQL the record is one of the rows of the filing's one statement
    assert touching == (["WITH"] if connection.vendor == "postgresql" else ["INSERT"])


def test_on_postgresql_a_filing_writes_every_row_in_one_statement(api):
    """Application, cases, events, links, draft, consent, idempotency record and outbox row, with
    their final numbers: one write, and nothing carries the provisional number."""
    from django.test.utils import CaptureQueriesContext

    from banshi.api.models import IdempotencyRecord

    _file(api, key="warm")
    with CaptureQueriesContext(connection) as captured:
        response, _ = _file(api, key="one-1", prefill_consent=True)
    assert response.status_code == 201, response.json()
    writes = [
        query["sql"]
        for query in captured.captured_queries
        if query["sql"].split()[0].upper() in ("INSERT", "UPDATE", "WITH", "DELETE")
    ]
    if connection.vendor == "postgresql":
        assert len(writes) == 1
    answer = response.json()
    application = Application.objects.get(number=answer["number"])
    assert re.fullmatch(r"BS-\d{8}-\d{6}", application.number)
    cases = list(application.cases.order_by("position"))
    assert [case.number for case in cases] == [
        f"{application.number}-{n:02d}" for n in range(1, len(cases) + 1)
    ]
    assert [case["number"] for case in answer["cases"]] == [case.number for case in cases]
    events = CaseEvent.objects.filter(application=application)
    assert {event.case_id for event in events} == {None} | {case.pk for case in cases}
    outbox = OutboxMessage.objects.get(key=application.number)
    assert outbox.payload["cases"] == [case.number for case in cases]
    record = IdempotencyRecord.objects.get(key="one-1")
    assert record.application_id == application.pk
    draft = ApplicationDraft.objects.get(application=application)
    assert draft.consent.scope == f"草稿 {draft.pk} · KBCYD"
    assert not Application.objects.filter(number__startswith="~").exists()


def test_a_retry_refused_on_the_way_still_answers_with_the_filed_application(api, monkeypatch):
    from banshi.api import applications
    from banshi.cases.errors import RuleViolation

    first, body = _file(api, key="later-1")

    def refused(*args, **kwargs):
        raise RuleViolation("该一件事已下线", "the bundle was withdrawn")

    monkeypatch.setattr(applications.drafts, "create_draft", refused)
    again = api.post("/applications", body, {"Idempotency-Key": "later-1"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    other = api.post("/applications", body, {"Idempotency-Key": "later-2"})
    assert other.status_code == 422 and other.json()["code"] == "rule_violation"


def test_the_draft_filed_in_one_request_keeps_its_consent_naming_it(api):
    response, _ = _file(api, key="consent-1", prefill_consent=True)
    assert response.status_code == 201, response.json()
    draft = ApplicationDraft.objects.select_related("consent").get()
    assert draft.consent_given and draft.consent is not None
    assert draft.consent.scope == f"草稿 {draft.pk} · KBCYD"
    assert draft.consent.person_id == draft.owner_id and draft.consent.given_at == draft.consent_at
    assert draft.application.number == response.json()["number"]
    assert Consent.objects.count() == 1


def test_the_draft_filed_in_one_request_is_written_once(api):
    """No UPDATE of the draft row: it is inserted complete (with its consent, on PostgreSQL in the
    same statement) after the application it was filed as."""
    from django.test.utils import CaptureQueriesContext

    _file(api, key="warm")
    with CaptureQueriesContext(connection) as captured:
        assert _file(api, key="once-2", prefill_consent=True)[0].status_code == 201
    writes = [
        query["sql"]
        for query in captured.captured_queries
        if "cases_applicationdraft" in query["sql"]
        and query["sql"].split()[0].upper() in ("INSERT", "UPDATE", "WITH")
    ]
    if connection.vendor == "postgresql":
        assert len(writes) == 1 and "people_consent" in writes[0]
    else:  # the draft, then its consent naming it, then the draft's link to the consent
        assert [sql.split()[0].upper() for sql in writes] == ["INSERT", "UPDATE"]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL reads the profile with the enterprise"
)
def test_filing_for_an_enterprise_reads_its_profile_with_the_enterprise(api, applicant):
    """The enterprise's 法定代表人 and the licence types held come with the enterprise row: no
    statement of their own (``drafts.enterprise_by_uscc``)."""
    from django.test.utils import CaptureQueriesContext

    from banshi.people import services as people

    enterprise = people.register_enterprise(
        "91350100M000100Y43", "某某餐饮有限公司", legal_representative=applicant
    )
    _file(api, key="warm")
    with CaptureQueriesContext(connection) as captured:
        response, _ = _file(api, key="firm-1", enterprise_uscc=enterprise.uscc)
    assert response.status_code == 201, response.json()
    assert Application.objects.get(number=response.json()["number"]).enterprise_id == enterprise.pk
    touching = [  # the role, the 法定代表人 and the licences held: the enterprise's statement
        query["sql"]
        for query in captured.captured_queries
        if "people_enterpriserole" in query["sql"] or "licences_licence" in query["sql"]
    ]
    assert len(touching) == 1 and '"people_enterprise" e WHERE' in touching[0]


def _filed_with_statements(api, body, key):
    """File ``body`` (after a warm-up filing: caches, the day's sequence row); the response, the
    statements Django ran and the commands psycopg sent of its own (BEGIN, COMMIT)."""
    from unittest import mock

    import psycopg
    from django.test.utils import CaptureQueriesContext

    api.post("/applications", body, {"Idempotency-Key": f"warm-{key}"})
    sent: list[bytes] = []
    original = psycopg.Connection._exec_command

    def spy(self, command, *args, **kwargs):
        sent.append(command)
        return original(self, command, *args, **kwargs)

    with (
        mock.patch.object(psycopg.Connection, "_exec_command", spy),
        CaptureQueriesContext(connection) as captured,
    ):
        response = api.post("/applications", body, {"Idempotency-Key": key})
    statements = [  # Django logs its own BEGIN / COMMIT calls: psycopg may have sent neither
        query["sql"]
        for query in captured.captured_queries
        if query["sql"] not in ("BEGIN", "COMMIT")
    ]
    return response, statements, sent


@postgres_transactions
def test_on_postgresql_a_filing_for_an_enterprise_is_three_statements_without_begin_or_commit(
    applicant,
):
    """The token; the enterprise with its 法定代表人, the licences in force and the files the
    request names; the filing, which is its own transaction (``core.db.chain_atomic``)."""
    from banshi.licences import services as licences
    from banshi.people import services as people

    enterprise = people.register_enterprise(
        "91350100M000100Y43", "某某餐饮有限公司", legal_representative=applicant
    )
    licence = licences.record_existing("YYZZ", holder_enterprise=enterprise)
    api = Api(applicant.user)
    body = {**draft_body(api), "submit": True, "enterprise_uscc": enterprise.uscc}
    response, statements, sent = _filed_with_statements(api, body, "three-1")
    assert response.status_code == 201, response.json()
    assert len(statements) == 3, [sql[:90] for sql in statements]
    assert "api_apitoken" in statements[0]
    assert '"people_enterprise" e WHERE' in statements[1]
    assert "files_storedfile" in statements[1] and "licences_licence" in statements[1]
    assert statements[2].startswith("WITH ")
    assert sent == []  # no BEGIN, no COMMIT: the filing's statement is the transaction
    application = Application.objects.get(number=response.json()["number"])
    assert {entry.get("licence") for entry in application.materials} >= {licence.identifier}
    assert ApplicationDraft.objects.filter(application=application).exists()


@postgres_transactions
def test_on_postgresql_a_filing_for_oneself_is_three_statements_without_begin_or_commit(
    applicant,
):
    """The token; the applicant's licences in force with the files the request names
    (``drafts.read_for_applicant``); the filing as its own transaction."""
    from banshi.licences import services as licences

    licence = licences.record_existing("YYZZ", holder_person=applicant)
    api = Api(applicant.user)
    response, statements, sent = _filed_with_statements(
        api, {**draft_body(api), "submit": True}, "self-1"
    )
    assert response.status_code == 201, response.json()
    assert len(statements) == 3, [sql[:90] for sql in statements]
    assert "licences_licence" in statements[1] and "files_storedfile" in statements[1]
    assert statements[2].startswith("WITH ") and sent == []
    application = Application.objects.get(number=response.json()["number"])
    assert {entry.get("licence") for entry in application.materials} >= {licence.identifier}
