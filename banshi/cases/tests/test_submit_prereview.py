"""The engine runs the pre-review (预审) itself: whichever front door files an application, the
same input is refused the same way, with the findings in Chinese and English, and nothing is
written (no application, no case, no event, no outbox row, no number consumed)."""

from __future__ import annotations

import pytest

from banshi.cases import services
from banshi.cases.errors import PrereviewBlocked
from banshi.cases.models import Application, CaseEvent, NumberSequence, OutboxMessage
from banshi.cases.tests.factories import MONDAY, make_person
from banshi.core import clock

pytestmark = pytest.mark.usefixtures("catalogue")

ANSWERS = {"shop.area": 100, "need_seal": False}  # -> SCJG-DJ-001 and SCJG-XK-001
FORM = {"enterprise.name": "某某餐饮有限公司", "shop.address": "郑州市航空港区某路1号"}
MATERIALS = [
    {"code": "LEASE", "sha256": "0" * 64},
    {"code": "FOOD-RULES", "files": [{"id": 1, "sha256": "1" * 64}]},
]


def _file(**changes):
    arguments = {
        "bundle_code": "KBCYD",
        "answers": ANSWERS,
        "form_data": FORM,
        "materials": MATERIALS,
        "idempotency_key": "prereview-1",
        "channel": "web",
    }
    arguments.update(changes)
    with clock.frozen(MONDAY):
        return services.submit_application(make_person(), **arguments)


def _nothing_written() -> bool:
    return not (
        Application.objects.exists()
        or CaseEvent.objects.exists()
        or OutboxMessage.objects.exists()
        or NumberSequence.objects.filter(last_value__gt=0).exists()
    )


def test_a_complete_submission_passes_the_engines_pre_review():
    application = _file()
    assert application.cases.count() == 2


def test_a_missing_required_field_is_refused_by_the_engine_in_both_languages():
    with pytest.raises(PrereviewBlocked) as refused:
        _file(form_data={"enterprise.name": "某某餐饮有限公司"})
    error = refused.value
    assert [finding.code for finding in error.findings] == ["shop.address"]
    assert error.zh.startswith("预审未通过") and "经营场所" in error.zh
    assert error.en.startswith("pre-review failed")
    assert _nothing_written()


def test_a_missing_material_is_refused_by_the_engine():
    with pytest.raises(PrereviewBlocked) as refused:
        _file(materials=[{"code": "LEASE", "sha256": "0" * 64}])
    assert {finding.code for finding in refused.value.findings} == {"FOOD-RULES"}
    assert _nothing_written()


def test_an_upload_entry_without_files_counts_as_missing():
    with pytest.raises(PrereviewBlocked) as refused:
        _file(materials=[MATERIALS[0], {"code": "FOOD-RULES", "mode": "upload", "files": []}])
    assert {finding.code for finding in refused.value.findings} == {"FOOD-RULES"}
