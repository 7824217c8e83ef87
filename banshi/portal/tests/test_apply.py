"""Applying online through the pages: start, autosave, resume, consent, uploads, pre-review, submit
once, receipt, progress, corrections (M-B1 one submission, M-C5 progress, M-D1 reuse with consent)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from banshi.cases import services
from banshi.cases.models import Application, ApplicationDraft, DraftStatus
from banshi.documents.models import Document
from banshi.files.models import StoredFile
from banshi.portal.tests.applying import (
    EXE,
    PASSWORD,
    PDF,
    applicant,
    enterprise_applicant,
    staff,
)

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
UPLOADS = ("LEASE", "FOOD-RULES", "LAYOUT", "FIRE-PLAN")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BANSHI_PUBLIC_URL = "https://zwfw.example.gov.cn"
    settings.BANSHI_UPLOAD_MAX_MB = 20


@pytest.fixture
def no_pdf(monkeypatch):
    """Receipts without WeasyPrint (for tests that are not about the PDF)."""
    from banshi.documents import render

    monkeypatch.setattr(
        render,
        "render_pdf",
        lambda content, *, verify_url, region="": b"%PDF-1.7 stand-in " + content.number.encode(),
    )


@pytest.fixture
def boss(catalogue):
    _user, person, enterprise = enterprise_applicant()
    client = Client()
    assert client.login(username="boss", password=PASSWORD)
    return client, person, enterprise


def start(client, enterprise, query="shop.area=500"):
    response = client.post(
        "/apply/bundle/KBCYD/",
        {"a:shop.area": "500", "subject": f"enterprise:{enterprise.pk}"},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return ApplicationDraft.objects.latest("pk")


def upload(client, draft, code, data=PDF, name="file.pdf"):
    return client.post(
        f"/apply/{draft.pk}/materials/{code}/",
        {"file": SimpleUploadedFile(name, data)},
        follow=True,
    )


def fill(client, draft):
    client.post(f"/apply/{draft.pk}/consent", {"consent": "yes"})
    client.post(f"/apply/{draft.pk}/form/", {"step": "form", "shop.address": "示例路1号"})
    for code in UPLOADS:
        upload(client, draft, code)


def text(response) -> str:
    html = re.sub(r"<svg.*?</svg>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --- starting ---------------------------------------------------------------------------------


def test_guides_offer_to_apply_online_with_the_answers_given(client, catalogue):
    html = client.get("/bundles/KBCYD/?shop.area=500").content.decode()
    assert 'href="/apply/bundle/KBCYD/?shop.area=500"' in html
    assert 'href="/apply/item/SCJG-XK-001/"' in client.get("/items/SCJG-XK-001/").content.decode()


def test_applying_needs_a_login(client, catalogue):
    response = client.get("/apply/bundle/KBCYD/?shop.area=500")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert "shop.area%3D500" in response["Location"]


def test_a_staff_account_cannot_apply(catalogue):
    client = Client()
    staff("clerk", "window_clerk", all_departments=True)
    client.login(username="clerk", password=PASSWORD)
    response = client.get("/apply/bundle/KBCYD/")
    assert response.status_code == 403 and "仅限申请人" in response.content.decode()


def test_starting_creates_a_draft_with_the_answers_and_opens_it(boss):
    client, person, enterprise = boss
    page = client.get("/apply/bundle/KBCYD/?shop.area=500")
    assert (
        "示例餐饮管理有限公司" in text(page)
        and 'name="a:shop.area" value="500"' in page.content.decode()
    )
    draft = start(client, enterprise)
    assert draft.owner == person and draft.enterprise == enterprise
    assert draft.answers == {"shop.area": "500"}
    response = client.get(f"/apply/{draft.pk}/")
    assert response["Location"] == f"/apply/{draft.pk}/situation/"


# --- saving as you go -------------------------------------------------------------------------


def test_autosave_keeps_what_is_typed_and_a_new_browser_finds_it(boss):
    client, _, enterprise = boss
    draft = start(client, enterprise)
    response = client.post(
        f"/apply/{draft.pk}/save", {"step": "form", "shop.address": "示例路8号"}, headers=HTMX
    )
    assert response.status_code == 200 and "已自动保存" in response.content.decode()
    fresh = Client()  # the browser was closed
    fresh.login(username="boss", password=PASSWORD)
    me = text(fresh.get("/me/"))
    assert "开办餐饮店一件事" in me and "继续填写" in me
    assert 'value="示例路8号"' in fresh.get(f"/apply/{draft.pk}/form/").content.decode()
    assert fresh.get(f"/apply/{draft.pk}/")["Location"] == f"/apply/{draft.pk}/form/"


def test_autosave_reports_an_invalid_identifier_at_once(boss):
    client, _, enterprise = boss
    draft = start(client, enterprise)
    response = client.post(
        f"/apply/{draft.pk}/save",
        {"step": "form", "person.id_number": "44030419900307123"},
        headers=HTMX,
    )
    body = response.content.decode()
    assert 'id="err-person-id_number"' in body and 'hx-swap-oob="true"' in body
    assert "身份证号码应为18位，实际为17位" in body and "this one has 17" in body


def test_an_expired_session_sends_to_login_and_keeps_what_was_typed(boss):
    client, _, enterprise = boss
    draft = start(client, enterprise)
    client.cookies.pop("sessionid")  # the session expired
    response = client.post(
        f"/apply/{draft.pk}/form/", {"step": "form", "shop.address": "输入到一半的地址"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next=%2Fapply%2F{draft.pk}%2Fform%2F"
    login = client.post(
        "/accounts/login/",
        {"username": "boss", "password": PASSWORD, "next": f"/apply/{draft.pk}/form/"},
    )
    assert login["Location"] == f"/apply/{draft.pk}/form/"
    page = client.get(f"/apply/{draft.pk}/form/")
    assert 'value="输入到一半的地址"' in page.content.decode()
    assert "登录已恢复" in text(page)
    assert ApplicationDraft.objects.get(pk=draft.pk).form_data["shop.address"] == "输入到一半的地址"


def test_an_expired_session_during_autosave_redirects_htmx_to_login(boss):
    client, _, enterprise = boss
    draft = start(client, enterprise)
    client.cookies.pop("sessionid")
    response = client.post(
        f"/apply/{draft.pk}/save", {"step": "form", "shop.address": "x"}, headers=HTMX
    )
    assert response["HX-Redirect"].startswith("/accounts/login/?next=")


# --- consent and prefill ----------------------------------------------------------------------


def test_the_form_is_prefilled_only_after_consent_and_shows_the_source(boss):
    client, _, enterprise = boss
    draft = start(client, enterprise)
    before = client.get(f"/apply/{draft.pk}/form/").content.decode()
    assert "同意复用本人已提交的信息" in before
    assert "91350100M000100Y43" not in before
    client.post(f"/apply/{draft.pk}/consent", {"consent": "yes"})
    after = client.get(f"/apply/{draft.pk}/form/")
    assert "来自一企一档：营业执照" in text(after) and "来自一人一档：居民身份证" in text(after)
    assert 'value="91350100M000100Y43" readonly' in after.content.decode()
    client.post(f"/apply/{draft.pk}/consent", {"consent": "no"})
    assert "91350100M000100Y43" not in client.get(f"/apply/{draft.pk}/form/").content.decode()


# --- materials --------------------------------------------------------------------------------


def test_a_pdf_is_uploaded_and_listed(boss):
    client, _, enterprise = boss
    draft = start(client, enterprise)
    page = upload(client, draft, "LEASE", name="租赁合同.pdf")
    assert "已上传 1 个文件" in text(page) and "租赁合同.pdf" in text(page)
    stored = StoredFile.objects.get()
    assert client.get(f"/apply/{draft.pk}/files/{stored.pk}").status_code == 200


def test_a_forbidden_file_is_refused_in_both_languages_and_nothing_is_lost(boss):
    client, _, enterprise = boss
    draft = start(client, enterprise)
    client.post(f"/apply/{draft.pk}/form/", {"step": "form", "shop.address": "示例路1号"})
    page = upload(client, draft, "LEASE", data=EXE, name="营业执照.pdf")
    body = text(page)
    assert "不是允许的类型" in body and "not an allowed type" in body
    assert StoredFile.objects.count() == 0
    assert ApplicationDraft.objects.get(pk=draft.pk).form_data == {"shop.address": "示例路1号"}


def test_an_oversized_file_is_refused_before_it_is_kept(boss, settings):
    client, _, enterprise = boss
    settings.BANSHI_UPLOAD_MAX_MB = 0.01  # about 10 KB
    draft = start(client, enterprise)
    page = upload(client, draft, "LEASE", data=PDF + b"0" * 20_000, name="scan.pdf")
    body = text(page)
    assert "超过" in body and "larger than" in body
    assert StoredFile.objects.count() == 0


def test_a_commitment_can_replace_a_material_where_allowed(boss):
    client, _, enterprise = boss
    draft = start(client, enterprise)
    client.post(f"/apply/{draft.pk}/materials/LAYOUT/", {"mode": "commitment"})
    assert ApplicationDraft.objects.get(pk=draft.pk).materials["LAYOUT"]["mode"] == "commitment"
    refused = client.post(
        f"/apply/{draft.pk}/materials/LEASE/", {"mode": "commitment"}, follow=True
    )
    assert "不适用告知承诺" in text(refused)


# --- pre-review and submit --------------------------------------------------------------------


def test_pre_review_blocks_submit_and_says_what_is_missing(boss):
    client, _, enterprise = boss
    draft = start(client, enterprise)
    client.post(
        f"/apply/{draft.pk}/form/", {"step": "form", "person.id_number": "44030419900307123"}
    )
    page = client.get(f"/apply/{draft.pk}/review/")
    body = text(page)
    assert "身份证号码应为18位" in body and "缺少材料“经营场所使用证明”" in body
    assert "请填写“企业名称”" in body
    assert 'id="submit-button" disabled' in page.content.decode()
    response = client.post(f"/apply/{draft.pk}/submit", follow=True)
    assert "预审发现问题" in text(response) and Application.objects.count() == 0
    form = client.get(f"/apply/{draft.pk}/form/").content.decode()
    assert 'value="44030419900307123"' in form  # what was typed stays, with its message
    assert "身份证号码应为18位，实际为17位" in form and "this one has 17" in form


def test_the_draft_pages_read_in_english(boss):
    client, _, enterprise = boss
    draft = start(client, enterprise)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = text(client.get(f"/apply/{draft.pk}/form/"))
    assert "Step 3 · Form" in body and "I agree to the reuse" in body
    review = text(client.get(f"/apply/{draft.pk}/review/"))
    assert "is required" in review and "Submit the application" in review


def test_submitting_twice_shows_the_same_one_application(boss, no_pdf):
    client, _, enterprise = boss
    draft = start(client, enterprise)
    fill(client, draft)
    assert "预审通过" in text(client.get(f"/apply/{draft.pk}/review/"))
    first = client.post(f"/apply/{draft.pk}/submit")
    second = client.post(f"/apply/{draft.pk}/submit")  # double click / back button
    application = Application.objects.get()
    assert (
        first["Location"]
        == second["Location"]
        == f"/applications/{application.number}/?submitted=1"
    )
    assert ApplicationDraft.objects.get(pk=draft.pk).status == DraftStatus.SUBMITTED
    # the back button to a step of a submitted draft shows the application
    assert (
        client.get(f"/apply/{draft.pk}/form/")["Location"] == f"/applications/{application.number}/"
    )
    page = client.get(first["Location"])
    assert "申请已提交" in text(page) and application.number in text(page)


# --- receipt, progress, documents -------------------------------------------------------------


def _need(ok: bool, reason: str) -> None:
    if ok:
        return
    if os.environ.get("BANSHI_REQUIRE_SERVICES") == "1":
        pytest.fail(f"BANSHI_REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


def test_the_receipt_pdf_carries_a_qr_code_to_the_progress_page(boss, tmp_path):
    from banshi.documents import render

    problem = render.weasyprint_problem()
    _need(problem is None, f"WeasyPrint cannot render here: {problem}")
    _need(
        render.cjk_fonts_installed(), "Noto CJK fonts not installed: apt-get install fonts-noto-cjk"
    )
    client, _, enterprise = boss
    draft = start(client, enterprise)
    fill(client, draft)
    client.post(f"/apply/{draft.pk}/submit")
    application = Application.objects.get()
    receipt = Document.objects.get(application=application, kind="receipt")
    progress = f"https://zwfw.example.gov.cn/applications/{application.number}/"
    assert receipt.content["progress_url"] == progress
    pdf = client.get(f"/verify/{receipt.token}/pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    data = b"".join(pdf.streaming_content)
    assert data.startswith(b"%PDF-")
    if shutil.which("pdftoppm") and shutil.which("zbarimg"):
        (tmp_path / "r.pdf").write_bytes(data)
        subprocess.run(
            [
                "pdftoppm",
                "-r",
                "150",
                "-png",
                "-f",
                "1",
                "-l",
                "1",
                str(tmp_path / "r.pdf"),
                str(tmp_path / "page"),
            ],
            check=True,
        )
        image = next(tmp_path.glob("page*.png"))
        decoded = subprocess.run(
            ["zbarimg", "--raw", "-q", str(image)], capture_output=True, text=True
        ).stdout
        assert progress in decoded.split()


def test_the_progress_page_shows_cases_and_the_timeline(boss, no_pdf):
    client, _, enterprise = boss
    draft = start(client, enterprise)
    fill(client, draft)
    client.post(f"/apply/{draft.pk}/submit")
    application = Application.objects.get()
    body = text(client.get(f"/applications/{application.number}/"))
    assert "提交申请" in body and "市场监督管理局" in body and "消防救援支队" in body
    assert "已收件" in body and "收件凭证" in body and "扫码随时查看进度" in body


def test_the_progress_page_and_the_receipt_are_not_for_another_applicant(boss, no_pdf):
    client, _, enterprise = boss
    draft = start(client, enterprise)
    fill(client, draft)
    client.post(f"/apply/{draft.pk}/submit")
    application = Application.objects.get()
    receipt = Document.objects.get(application=application, kind="receipt")
    assert client.get(f"/verify/{receipt.token}/pdf").status_code == 200
    applicant("other", "110101200001010010", "王磊", "13800000003")
    other = Client()
    other.login(username="other", password=PASSWORD)
    assert other.get(f"/applications/{application.number}/").status_code == 404
    assert other.get(f"/verify/{receipt.token}/pdf").status_code == 403
    assert other.get(f"/apply/{draft.pk}/form/").status_code == 404
    anonymous = Client().get(f"/applications/{application.number}/")
    assert anonymous["Location"].startswith("/accounts/login/")


def test_staff_of_a_department_in_the_application_see_its_progress(boss, no_pdf):
    client, _, enterprise = boss
    draft = start(client, enterprise)
    fill(client, draft)
    client.post(f"/apply/{draft.pk}/submit")
    number = Application.objects.get().number
    staff("xf", "reviewer", department="XF")
    staff("ga", "reviewer", department="GA")
    xf, ga = Client(), Client()
    xf.login(username="xf", password=PASSWORD)
    ga.login(username="ga", password=PASSWORD)
    assert xf.get(f"/applications/{number}/").status_code == 200
    assert ga.get(f"/applications/{number}/").status_code == 404


def test_a_correction_is_answered_from_the_progress_page(boss, no_pdf):
    client, _, enterprise = boss
    draft = start(client, enterprise)
    fill(client, draft)
    client.post(f"/apply/{draft.pk}/submit")
    application = Application.objects.get()
    clerk = staff("clerk", "window_clerk", all_departments=True)
    services.request_correction(
        application,
        [{"item": "SCJG-XK-001", "materials": ["LEASE"], "reason": "租赁合同已过期"}],
        clerk,
        application.version,
    )
    page = client.get(f"/applications/{application.number}/")
    assert "需要补正" in text(page) and "租赁合同已过期" in text(page)
    url = f"/applications/{application.number}/correction"
    client.post(
        url,
        {
            "action": "upload",
            "material": "LEASE",
            "file": SimpleUploadedFile("new.pdf", b"%PDF-1.7 renewed lease"),
        },
    )
    response = client.post(url, {"action": "answer"}, follow=True)
    assert "补正材料已提交" in text(response)
    application.refresh_from_db()
    assert application.correction_notice.answered_at is not None
    assert application.materials[-1]["code"] == "LEASE"
    assert "补正材料已提交" in text(client.get(f"/applications/{application.number}/"))


def test_my_page_lists_drafts_and_applications(boss, no_pdf):
    client, _, enterprise = boss
    open_draft = start(client, enterprise)
    filed = start(client, enterprise)
    fill(client, filed)
    client.post(f"/apply/{filed.pk}/submit")
    body = text(client.get("/me/"))
    assert f"#{open_draft.pk}" in body and Application.objects.get().number in body
    client.post(f"/apply/{open_draft.pk}/delete")
    assert not ApplicationDraft.objects.filter(pk=open_draft.pk).exists()


def test_the_header_offers_login_and_for_applicants_my_applications(client, boss):
    assert "/accounts/login/?next=" in client.get("/").content.decode()
    signed_in, _, _ = boss
    html = signed_in.get("/").content.decode()
    assert 'href="/me/"' in html and "退出" in html


def test_the_applicant_can_withdraw_before_the_decisions(boss, no_pdf):
    client, _, enterprise = boss
    draft = start(client, enterprise)
    fill(client, draft)
    client.post(f"/apply/{draft.pk}/submit")
    application = Application.objects.get()
    assert "撤回申请" in text(client.get(f"/applications/{application.number}/"))
    response = client.post(
        f"/applications/{application.number}/withdraw", {"reason": "不再开店"}, follow=True
    )
    assert "申请已撤回" in text(response)
    application.refresh_from_db()
    assert application.status == "withdrawn"
    assert set(application.cases.values_list("state", flat=True)) == {"withdrawn"}
