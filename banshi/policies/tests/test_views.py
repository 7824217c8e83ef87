"""Pages render and are permission-checked (through banshi.people.permissions)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from banshi.people import services as people
from banshi.policies import engine
from banshi.policies.models import Grant, PolicyOffer

HIGH_TECH = [
    ("高新技术企业", "enterprise.is_high_tech"),
    ("参保人数不少于10人", "enterprise.insured_employees >= 10"),
]


@pytest.fixture
def login(client):
    def as_user(user):
        client.force_login(user)
        return client

    return as_user


@pytest.fixture
def scene(make_enterprise, make_policy, owner):
    firm = make_enterprise("甲科技", is_high_tech=True, insured_employees=20)
    near = make_enterprise("乙科技", is_high_tech=False, insured_employees=20)
    people.add_enterprise_role(owner, firm, "legal_representative")
    people.add_enterprise_role(owner, near, "handler")
    auto = make_policy(HIGH_TECH, title="高新技术企业认定奖励")
    prefilled = make_policy(HIGH_TECH, title="研发后补助", mode="prefilled")
    engine.run_full()
    return {"firm": firm, "near": near, "auto": auto, "prefilled": prefilled}


# -- public ------------------------------------------------------------------------------------


def test_the_public_list_shows_published_policies(client, scene, make_policy):
    make_policy(HIGH_TECH, title="尚未发布的草稿", publish=False)
    page = client.get(reverse("policies:list"))
    text = page.content.decode()
    assert page.status_code == 200 and "高新技术企业认定奖励" in text and "免申即享" in text
    assert "尚未发布的草稿" not in text


def test_the_public_list_filters_by_mode(client, scene):
    text = client.get(reverse("policies:list"), {"mode": "prefilled"}).content.decode()
    assert "研发后补助" in text and "高新技术企业认定奖励" not in text


def test_a_policy_page_shows_its_conditions_and_history(client, scene):
    page = client.get(reverse("policies:detail", args=[scene["auto"].policy.code]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "参保人数不少于10人" in text and "enterprise.insured_employees &gt;= 10" in text
    assert "人力资源和社会保障局" in text and "发布" in text


def test_a_draft_policy_page_is_not_found(client, make_policy):
    draft = make_policy(HIGH_TECH, publish=False)
    assert client.get(reverse("policies:detail", args=[draft.policy.code])).status_code == 404


def test_the_attribute_dictionary_is_public(client, db):
    assert (
        "enterprise.registered_capital"
        in client.get(reverse("policies:attributes")).content.decode()
    )


# -- the enterprise's page ---------------------------------------------------------------------


def test_mine_needs_a_login(client, db):
    page = client.get(reverse("policies:mine"))
    assert page.status_code == 302 and "/accounts/login/" in page["Location"]


def test_mine_is_refused_to_an_account_that_is_no_person_and_stands_for_no_enterprise(
    login, db, scene
):
    from django.contrib.auth import get_user_model

    nobody = get_user_model().objects.create_user("nobody", password="Correct-horse-42")
    assert login(nobody).get(reverse("policies:mine")).status_code == 403


def test_mine_of_someone_standing_for_no_enterprise_is_their_person_page(login, outsider, scene):
    text = login(outsider.user).get(reverse("policies:mine")).content.decode()
    assert "个人专属" in text and "王磊" in text


def test_mine_lists_what_the_enterprise_may_have_and_nearly_meets(login, owner, scene):
    client = login(owner.user)
    text = client.get(reverse("policies:mine"), {"enterprise": scene["firm"].pk}).content.decode()
    assert "高新技术企业认定奖励" in text and "待科学技术局确认" in text
    assert "研发后补助" in text and "一键申请" in text
    near = client.get(reverse("policies:mine"), {"enterprise": scene["near"].pk}).content.decode()
    assert "差一项即可享受" in near and "不符合：高新技术企业（您的高新技术企业：否）" in near


def test_mine_never_shows_another_enterprise(login, owner, scene, make_enterprise):
    stranger = make_enterprise("外人公司", is_high_tech=True, insured_employees=50)
    text = (
        login(owner.user)
        .get(reverse("policies:mine"), {"enterprise": stranger.pk})
        .content.decode()
    )
    assert "外人公司" not in text  # falls back to the user's own first enterprise


def test_one_click_apply_submits_the_prefilled_application(login, owner, scene):
    client = login(owner.user)
    url = reverse("policies:apply", args=[scene["prefilled"].pk])
    page = client.post(url, {"enterprise": scene["firm"].pk})
    assert page.status_code == 302
    assert PolicyOffer.objects.get(enterprise=scene["firm"]).status == "submitted"


def test_applying_for_an_enterprise_one_does_not_stand_for_is_forbidden(login, outsider, scene):
    url = reverse("policies:apply", args=[scene["prefilled"].pk])
    assert login(outsider.user).post(url, {"enterprise": scene["firm"].pk}).status_code == 403


# -- staff ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["policies:staff", "policies:new", "policies:import", "policies:runs"]
)
def test_staff_pages_are_refused_to_applicants(login, owner, scene, name):
    assert login(owner.user).get(reverse(name)).status_code == 403


def test_staff_pages_render_for_a_writer(login, staff, scene):
    client = login(staff["writer"])
    code = scene["auto"].policy.code
    for url in (
        reverse("policies:staff"),
        reverse("policies:new"),
        reverse("policies:edit", args=[code]),
        reverse("policies:deliver", args=[code]),
        reverse("policies:runs"),
    ):
        assert client.get(url).status_code == 200, url


def test_the_live_check_points_at_a_bad_condition(login, staff, scene):
    page = login(staff["writer"]).post(
        reverse("policies:check"),
        {"conditions": "资本：enterprise.capital >= 500"},
        HTTP_HX_REQUEST="true",
    )
    text = page.content.decode()
    assert (
        page.status_code == 200
        and "第 1 条条件「资本」" in text
        and "未知名称" in text
        and "^^^" in text
    )


def test_the_live_check_counts_the_enterprises_that_match(login, staff, scene):
    text = (
        login(staff["writer"])
        .post(
            reverse("policies:check"),
            {
                "conditions": "高新：enterprise.is_high_tech\n参保：enterprise.insured_employees >= 10"
            },
        )
        .content.decode()
    )
    assert '<span class="count-big">1</span> 家企业符合全部条件，1 家差一项' in text


def test_the_live_check_is_for_writers_only(login, staff, scene):
    assert (
        login(staff["kj_reviewer"]).post(reverse("policies:check"), {"conditions": "x"}).status_code
        == 403
    )


def test_a_writer_drafts_and_publishes_through_the_form(login, staff, departments, settings):
    client = login(staff["writer"])
    form = {
        "code": "kj-2025-01",
        "department": "KJ",
        "title": "专精特新奖励",
        "mode": "auto_grant",
        "benefit_kind": "fixed",
        "benefit_amount": "300000",
        "conditions": "专精特新：enterprise.is_specialized\n纳税信用：enterprise.tax_credit_level in ['A', 'B']",
    }
    page = client.post(reverse("policies:new"), form)
    assert page.status_code == 302 and page["Location"].endswith("/policies/staff/KJ-2025-01/edit/")
    page = client.post(reverse("policies:edit", args=["KJ-2025-01"]), {**form, "publish": "1"})
    assert page.status_code == 302
    assert client.get(reverse("policies:detail", args=["KJ-2025-01"])).status_code == 200


def test_the_form_shows_a_refused_condition_where_it_was_typed(login, staff, departments):
    page = login(staff["writer"]).post(
        reverse("policies:new"),
        {
            "code": "X-1",
            "department": "KJ",
            "title": "t",
            "mode": "auto_grant",
            "benefit_kind": "fixed",
            "benefit_amount": "1",
            "conditions": "成立：enterprise.established_on > 5",
        },
    )
    assert page.status_code == 200 and "不能用 &gt; 比较日期与数值" in page.content.decode()


def test_a_department_reviewer_confirms_the_list_on_the_page(login, staff, scene):
    code = scene["auto"].policy.code
    page = login(staff["kj_head"]).post(reverse("policies:confirm", args=[code]), {"exclude": ""})
    assert page.status_code == 302 and Grant.objects.filter(enterprise=scene["firm"]).exists()


def test_another_department_may_not_confirm(login, staff, scene):
    code = scene["auto"].policy.code
    client = login(staff["scjg_reviewer"])
    assert client.get(reverse("policies:deliver", args=[code])).status_code == 403
    assert client.post(reverse("policies:confirm", args=[code])).status_code == 403
    assert not Grant.objects.exists()


def test_a_reviewer_may_not_write_policies(login, staff, scene):
    client = login(staff["kj_reviewer"])
    assert client.get(reverse("policies:new")).status_code == 403
    assert client.get(reverse("policies:edit", args=[scene["auto"].policy.code])).status_code == 403


def test_a_department_uploads_a_file_and_reads_the_report(login, staff, scene):
    content = (
        f"统一社会信用代码,从业人数\n{scene['firm'].uscc},40\n{scene['near'].uscc},很多\n".encode()
    )
    page = login(staff["kj_reviewer"]).post(
        reverse("policies:import"),
        {"file": SimpleUploadedFile("data.csv", content), "kind": "department"},
    )
    assert page.status_code == 302
    report = login(staff["kj_reviewer"]).get(page["Location"]).content.decode()
    assert (
        "1</span> 行已导入，1 行被拒收" in report
        and "不是数值" in report
        and "is not a number" in report
    )


def test_an_import_report_of_another_department_is_forbidden(login, staff, scene):
    content = f"统一社会信用代码,从业人数\n{scene['firm'].uscc},40\n".encode()
    page = login(staff["kj_reviewer"]).post(
        reverse("policies:import"),
        {"file": SimpleUploadedFile("d.csv", content), "kind": "department"},
    )
    assert login(staff["scjg_reviewer"]).get(page["Location"]).status_code == 403


def test_starting_a_full_run_from_the_page(login, staff, scene, monkeypatch):
    started = []
    monkeypatch.setattr(
        "banshi.policies.services.start_full_run", lambda user: started.append(user)
    )
    assert login(staff["writer"]).post(reverse("policies:runs")).status_code == 302
    assert started == [staff["writer"]]
    assert login(staff["kj_reviewer"]).post(reverse("policies:runs")).status_code == 403


def test_declaring_an_apply_policy_opens_an_application_draft(
    login, owner, make_enterprise, make_policy
):
    from banshi.cases.models import ApplicationDraft
    from banshi.cases.tests.factories import load_catalogue
    from banshi.catalog.models import ServiceItem
    from banshi.catalog.selectors import invalidate_snapshot

    load_catalogue()
    firm = make_enterprise("甲餐饮", is_high_tech=True, insured_employees=20)
    people.add_enterprise_role(owner, firm, "legal_representative")
    version = make_policy(
        HIGH_TECH,
        mode="apply",
        service_item=ServiceItem.objects.get(code="SCJG-XK-001"),
        title="食品经营补助",
    )
    engine.run_full()
    client = login(owner.user)
    text = client.get(reverse("policies:mine"), {"enterprise": firm.pk}).content.decode()
    assert "以本企业名义开始申报" in text
    page = client.post(reverse("policies:declare", args=[version.pk]), {"enterprise": firm.pk})
    draft = ApplicationDraft.objects.get(owner=owner)
    assert (draft.item_code, draft.enterprise) == ("SCJG-XK-001", firm)
    assert page.status_code == 302 and page["Location"] == reverse("portal:draft", args=[draft.pk])
    invalidate_snapshot()
