"""Rules of reference/standards.md §4 not covered by a test of their own in test_workflow.py,
one test per rule, named after it (§4.1 7×24 service, §4.6 real-time push, §4.7 工单 and 知识库).
Emergencies transferred to 110/119/120/122 (§4.1, §4.5) are tested in test_workflow.py."""

from __future__ import annotations

import datetime as dt

import pytest

from banshi.appeals import knowledge, services
from banshi.appeals.errors import AppealError
from banshi.appeals.models import Appeal
from banshi.appeals.tests.factories import agent, dispatched, fresh, handler, intake
from banshi.cases.models import OutboxMessage
from banshi.core import clock

pytestmark = pytest.mark.django_db


def test_4_1_human_service_7x24_intake_on_a_sunday_night():
    """§4.1 7×24: a call is taken in at any hour of any day; only deadlines count working days."""
    sunday_night = dt.datetime(2025, 3, 9, 23, 30, tzinfo=dt.UTC)  # a Sunday
    with clock.frozen(sunday_night):
        appeal = services.take_in(agent(), intake(), channel="hotline")
        appeal = services.dispatch(appeal, agent(), appeal.version, lead="SCJG")
    assert appeal.state == "dispatched" and appeal.due.weekday() < 5


def test_4_6_data_pushed_to_the_departments_in_real_time_through_the_outbox():
    """§4.6: dispatches and replies are pushed at once (an outbox message in the same transaction,
    delivered by the webhooks dispatcher) and name the departments, never the caller."""
    appeal = dispatched(assisting=("GA",))
    messages = OutboxMessage.objects.filter(key=appeal.number)
    dispatch = messages.filter(topic="appeal.dispatch").get()
    assert dispatch.payload["department"] == "SCJG" and dispatch.payload["assisting"] == ["GA"]
    assert "13800001234" not in str(list(messages.values_list("payload", flat=True)))


def test_4_6_nothing_is_pushed_for_a_refused_action():
    """§4.6 with DESIGN §7: a refused operation leaves no outbox message behind."""
    appeal = dispatched()
    before = OutboxMessage.objects.count()
    with pytest.raises(AppealError):
        services.reply(appeal, handler("GA"), appeal.version, text="不是本单位的工单")
    assert OutboxMessage.objects.count() == before


def test_4_7_the_ticket_records_caller_matter_handling_supervision_and_callback():
    """§4.7 GB/T 33358 工单: one record holds the caller, the matter, the handling, supervision
    and the callback result."""
    appeal = dispatched()
    scjg = handler("SCJG")
    services.acknowledge(appeal, scjg, None)
    services.reply(appeal, scjg, None, text="已现场处理。")
    services.callback(appeal, agent(), None, satisfaction="satisfied", note="满意")
    appeal = fresh(appeal)
    assert appeal.caller_phone and appeal.title and appeal.content  # caller and matter
    assert appeal.reply and appeal.replied_at and appeal.lead_department.code == "SCJG"
    assert appeal.satisfaction == "satisfied" and appeal.called_back_at
    kinds = list(appeal.events.order_by("at", "pk").values_list("kind", flat=True))
    assert kinds[:2] == ["take_in", "dispatch"] and "callback" in kinds
    assert Appeal.objects.filter(number=appeal.number).count() == 1


def test_4_7_knowledge_base_answers_from_the_faq_and_the_service_guides():
    """§4.7 知识库 / §4.8: the agent searches the maintained FAQ and the catalogue's guides."""
    from banshi.appeals.models import KnowledgeEntry
    from banshi.cases.tests import factories as case_factories

    case_factories.load_catalogue()
    KnowledgeEntry.objects.create(
        question="企业设立登记要多久？", answer="材料齐全的当场办结。", keywords="设立 登记"
    )
    found = knowledge.search("企业设立登记")
    kinds = {answer.kind for answer in found}
    assert kinds == {"faq", "guide"} and found[0].kind == "faq"
    guide = next(answer for answer in found if answer.kind == "guide")
    assert "SCJG-DJ-001" in guide.text and guide.url.startswith("/items/")
    assert knowledge.search("") == [] and knowledge.search(None) == []


def test_4_1_sla_extension_the_caller_sees_the_new_deadline_on_the_tracking_page():
    """§4.1 SLA 延期: "the caller is told the new deadline" — the tracking page shows the moved
    deadline and that it was extended."""
    from django.test import Client

    appeal = dispatched()
    user = handler("SCJG")
    services.acknowledge(appeal, user, appeal.version)
    with clock.frozen(dt.date(2025, 3, 20)):
        services.request_extension(fresh(appeal), user, None, days=5, reason="需要检测报告")
    with clock.frozen(dt.date(2025, 3, 21)):
        services.decide_extension(fresh(appeal), agent(), None, approve=True)
    client = Client()
    client.post("/appeals/track/", {"number": appeal.number, "phone": "13800001234"})
    page = client.get(f"/appeals/track/{appeal.number}/").content.decode()
    assert "2025-03-27 前（经批准延期 5 个工作日）" in page
