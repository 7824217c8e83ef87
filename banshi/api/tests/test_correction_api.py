"""补正 through the API: the applicant answers the one-time correction notice (第32条(四)) in one
request; an incomplete or invalid answer is refused in Chinese and English and nothing is kept."""

from __future__ import annotations

import pytest

from banshi.api.tests.conftest import Api
from banshi.api.tests.helpers import submitted
from banshi.cases import services
from banshi.cases.models import Application, CaseEvent, CorrectionNotice
from banshi.cases.tests.factories import clerk, make_person

pytestmark = pytest.mark.django_db

ITEMS = [
    {
        "item": "SCJG-DJ-001",
        "materials": ["LEASE"],
        "fields": ["shop.address"],
        "reason": "租赁合同不清晰，经营场所地址不完整",
    }
]


@pytest.fixture
def noticed(api) -> str:
    """An application the window clerk sent a correction notice for; returns its number."""
    number = submitted(api)["number"]
    application = Application.objects.get(number=number)
    services.request_correction(application, ITEMS, clerk(), application.version)
    return number


def _answer(api, number: str, **body):
    return api.post(f"/applications/{number}/correction", body)


def test_the_applicant_answers_the_notice_in_one_request__art32(api, noticed):
    file_id = api.upload().json()["id"]
    response = _answer(
        api,
        noticed,
        form_data={"shop.address": "郑州市航空港区新港大道1号A座"},
        materials={"LEASE": {"files": [file_id]}},
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["correction_notice"]["answered_at"]
    assert body["form_data"]["shop.address"] == "郑州市航空港区新港大道1号A座"
    handed = [m for m in body["materials"] if m["code"] == "LEASE" and m.get("correction")]
    assert handed and handed[0]["files"][0]["id"] == file_id
    assert CaseEvent.objects.filter(kind="correction_answered").exists()


def test_an_answer_missing_a_material_is_422_and_nothing_is_kept(api, noticed):
    response = _answer(api, noticed, form_data={"shop.address": "郑州市航空港区新港大道1号A座"})
    assert response.status_code == 422
    body = response.json()
    assert "补正内容尚不完整" in body["message_zh"] and "incomplete" in body["message_en"]
    assert CorrectionNotice.objects.get().answered_at is None
    application = Application.objects.get(number=noticed)
    assert application.form_data["shop.address"] != "郑州市航空港区新港大道1号A座"


def test_an_answer_is_422_when_no_notice_is_open(api):
    number = submitted(api)["number"]
    response = _answer(api, number, form_data={"shop.address": "郑州市航空港区新港大道1号"})
    assert response.status_code == 422
    assert "没有待答复的补正通知" in response.json()["message_zh"]


def test_files_must_be_the_applicants_own_uploads(api, noticed):
    other = Api(make_person("王五").user)
    foreign = other.upload(b"%PDF-1.4\n% someone else's scan\n%%EOF\n").json()["id"]
    response = _answer(
        api,
        noticed,
        form_data={"shop.address": "郑州市航空港区新港大道1号A座"},
        materials={"LEASE": {"files": [foreign]}},
    )
    assert response.status_code == 422 and response.json()["code"] == "unknown_file"


def test_another_persons_application_is_404(noticed):
    stranger = Api(make_person("赵六").user)
    response = _answer(stranger, noticed, form_data={"shop.address": "郑州市某路1号"})
    assert response.status_code == 404
