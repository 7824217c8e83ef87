"""Applicant endpoints: drafts, uploads, idempotent submission, tracking, errors."""

from __future__ import annotations

import pytest

from banshi.api.tests.conftest import Api
from banshi.api.tests.helpers import ANSWERS, FORM, ready_draft, submitted
from banshi.cases.models import Application, Case, CaseEvent, OutboxMessage
from banshi.cases.tests.factories import id_number, make_person, make_staff

pytestmark = pytest.mark.django_db


def test_a_draft_is_created_with_its_pre_review(api):
    response = api.post("/applications", {"bundle_code": "KBCYD", "answers": ANSWERS})
    assert response.status_code == 201
    draft = response.json()
    assert draft["number"].startswith("DR-") and draft["status"] == "draft"
    detail = draft["draft_detail"]
    assert detail["items"] == ["SCJG-DJ-001", "SCJG-XK-001"]
    assert not detail["can_submit"]
    missing = {f["code"] for f in detail["findings"] if f["severity"] == "blocking"}
    assert {"enterprise.name", "shop.address", "LEASE", "FOOD-RULES"} <= missing


def test_a_draft_is_updated_with_patch(api):
    number = api.post("/applications", {"bundle_code": "KBCYD", "answers": ANSWERS}).json()[
        "number"
    ]
    file_id = api.upload().json()["id"]
    response = api.patch(
        f"/applications/{number}",
        {"form_data": FORM, "materials": {"LEASE": {"files": [file_id]}}},
    )
    assert response.status_code == 200
    detail = response.json()["draft_detail"]
    assert response.json()["form_data"]["shop.address"] == FORM["shop.address"]
    assert [m["files"] for m in detail["materials"] if m["code"] == "LEASE"] == [[file_id]]
    assert {f["code"] for f in detail["findings"] if f["severity"] == "blocking"} == {"FOOD-RULES"}


def test_submit_files_one_application_with_a_case_per_item(api):
    application = submitted(api)
    assert application["number"].startswith("BS-") and application["status"] == "submitted"
    assert application["draft"].startswith("DR-")
    assert [case["item_code"] for case in application["cases"]] == ["SCJG-DJ-001", "SCJG-XK-001"]
    assert [event["kind"] for event in application["events"]] == [
        "submitted",
        "received",
        "received",
    ]
    assert Case.objects.count() == 2
    assert OutboxMessage.objects.filter(topic="application.submitted").count() == 1


def test_a_retry_with_the_same_key_returns_the_same_application_with_200(api):
    number = ready_draft(api)
    first = api.submit(number, key="retry-1")
    again = api.submit(number, key="retry-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert Application.objects.count() == 1
    assert CaseEvent.objects.filter(kind="submitted").count() == 1


def test_the_same_key_with_another_body_is_422(api):
    number = ready_draft(api)
    assert api.submit(number, key="k-1").status_code == 201
    response = api.submit(number, key="k-1", body={"channel": "mobile"})
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert "Idempotency-Key" in response.json()["message_en"]


def test_the_same_key_for_another_draft_is_422(api):
    assert api.submit(ready_draft(api), key="k-2").status_code == 201
    response = api.submit(ready_draft(api), key="k-2")
    assert response.status_code == 422 and response.json()["code"] == "idempotency_key_reused"
    assert Application.objects.count() == 1


def test_submit_without_an_idempotency_key_is_400(api):
    number = ready_draft(api)
    response = api.post(f"/applications/{number}/submit", {})
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["detail"]
    assert Application.objects.count() == 0


def test_a_draft_the_pre_review_blocks_is_422_with_the_findings(api):
    number = api.post("/applications", {"bundle_code": "KBCYD", "answers": ANSWERS}).json()[
        "number"
    ]
    response = api.submit(number)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "prereview_blocked" and body["message_zh"].startswith("预审未通过")
    assert {f["code"] for f in body["details"]["findings"]} >= {"LEASE", "shop.address"}
    assert Application.objects.count() == 0


def test_an_invalid_id_number_in_the_form_is_422_at_submit(api):
    draft = api.post(
        "/applications",
        {"item_code": "GA-BA-009", "form_data": {"holder.id_number": "410102199001010011"}},
    ).json()
    response = api.submit(draft["number"])
    assert response.status_code == 422
    [finding] = response.json()["details"]["findings"]
    assert finding["code"] == "holder.id_number" and finding["severity"] == "blocking"
    assert Application.objects.count() == 0


def test_a_valid_id_number_in_the_form_is_filed(api):
    draft = api.post(
        "/applications", {"item_code": "GA-BA-009", "form_data": {"holder.id_number": id_number(5)}}
    ).json()
    assert api.submit(draft["number"]).status_code == 201


def test_an_invalid_principal_id_number_is_422(api):
    response = api.post(
        "/applications",
        {"bundle_code": "KBCYD", "principal_id_number": "410102199001010011"},
    )
    assert response.status_code == 422
    assert response.json()["code"].startswith("identifier_")


def test_an_unknown_bundle_is_422(api):
    response = api.post("/applications", {"bundle_code": "NO-SUCH"})
    assert response.status_code == 422
    assert "NO-SUCH" in response.json()["detail"]


def test_both_or_neither_code_is_400(api):
    response = api.post("/applications", {"bundle_code": "KBCYD", "item_code": "GA-YZ-001"})
    assert response.status_code == 400 and response.json()["code"] == "bad_request"


def test_a_malformed_body_is_400_with_a_bilingual_message(api):
    response = api.post("/applications", {"bundle_code": "KBCYD", "answers": "not an object"})
    assert response.status_code == 400
    body = response.json()
    assert body["message_zh"].startswith("请求内容不合法") and body["errors"]


def test_an_upload_of_the_wrong_type_is_422(api):
    response = api.upload(b"MZ\x90\x00 not a pdf", name="营业执照.pdf")
    assert response.status_code == 422 and response.json()["code"] == "upload_type"


def test_a_file_uploaded_by_someone_else_cannot_be_attached(api, catalogue):
    other = Api(make_person("王五").user)
    file_id = other.upload().json()["id"]
    response = api.post(
        "/applications",
        {"bundle_code": "KBCYD", "answers": ANSWERS, "materials": {"LEASE": {"files": [file_id]}}},
    )
    assert response.status_code == 422 and response.json()["code"] == "unknown_file"


def test_a_submitted_draft_cannot_be_patched(api):
    application = submitted(api)
    response = api.patch(f"/applications/{application['draft']}", {"form_data": FORM})
    assert response.status_code == 409 and response.json()["code"] == "already_submitted"


def test_track_shows_status_cases_due_dates_and_events(api):
    number = submitted(api)["number"]
    response = api.get(f"/applications/{number}")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "submitted" and body["correction_due"]
    assert {case["state"] for case in body["cases"]} == {"received"}
    assert body["events"][0]["kind"] == "submitted"


def test_a_draft_number_tracks_the_application_once_submitted(api):
    application = submitted(api)
    response = api.get(f"/applications/{application['draft']}")
    assert response.json()["number"] == application["number"]


def test_my_list_has_open_drafts_then_applications(api):
    submitted(api)
    draft = api.post("/applications", {"bundle_code": "KBCYD"}).json()["number"]
    body = api.get("/applications").json()
    assert body["count"] == 2
    assert [item["status"] for item in body["items"]] == ["draft", "submitted"]
    assert body["items"][0]["number"] == draft
    only_drafts = api.get("/applications", {"status": "draft"}).json()
    assert only_drafts["count"] == 1


def test_another_applicants_application_is_404(api, catalogue):
    number = submitted(api)["number"]
    stranger = Api(make_person("赵六").user)
    assert stranger.get(f"/applications/{number}").status_code == 404


def test_a_staff_account_without_a_person_cannot_apply_403(catalogue):
    clerk_api = Api(make_staff("window_clerk"))
    response = clerk_api.post("/applications", {"bundle_code": "KBCYD"})
    assert response.status_code == 403 and response.json()["code"] == "not_an_applicant"


def test_an_agent_without_authorisation_is_403(api, catalogue):
    principal = make_person("被代办人")
    response = api.post(
        "/applications", {"bundle_code": "KBCYD", "principal_id_number": principal.id_number}
    )
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_an_unregistered_principal_is_422(api):
    response = api.post(
        "/applications", {"bundle_code": "KBCYD", "principal_id_number": id_number(987)}
    )
    assert response.status_code == 422 and response.json()["code"] == "unknown_person"


def test_withdraw_cancels_the_open_cases(api):
    application = submitted(api)
    response = api.post(
        f"/applications/{application['number']}/withdraw",
        {"version": application["version"], "reason": "不办了"},
    )
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    assert {case["state"] for case in response.json()["cases"]} == {"withdrawn"}


def test_withdraw_with_a_stale_version_is_409(api):
    application = submitted(api)
    response = api.post(
        f"/applications/{application['number']}/withdraw",
        {"version": application["version"] + 5},
    )
    assert response.status_code == 409
    assert "reload" in response.json()["message_en"]


def test_the_engine_itself_refuses_what_a_front_door_let_through(api, monkeypatch):
    """Pre-review runs in the case engine too: a front door that skipped its own check (here the
    drafts service's review is made to find nothing) still gets 422 with bilingual findings, and
    nothing is filed."""
    from banshi.cases import drafts

    number = api.post("/applications", {"bundle_code": "KBCYD", "answers": ANSWERS}).json()[
        "number"
    ]
    real_review = drafts.review
    monkeypatch.setattr(
        drafts, "review", lambda draft: drafts.DraftReview(real_review(draft).drafted)
    )
    response = api.submit(number)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "prereview_blocked"
    assert body["message_zh"].startswith("预审未通过") and "经营场所" in body["message_zh"]
    assert body["message_en"].startswith("pre-review failed")
    assert {f["code"] for f in body["details"]["findings"]} >= {"LEASE", "shop.address"}
    assert Application.objects.count() == 0 and OutboxMessage.objects.count() == 0
