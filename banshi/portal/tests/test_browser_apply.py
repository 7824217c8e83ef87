"""Applying online in a real browser, on the national catalogue, with the demo accounts.

(a) The enterprise's legal representative answers the 开办餐饮店一件事 (KBCYD) questions on the guide
page, applies online, consents to prefill, fills the rest of the one form, uploads a small PDF for
each material, passes pre-review, submits, sees the receipt page and downloads the receipt PDF.

(b) The whole bundle (issue item 8): the applicant applies; the window clerk requests one
correction in the staff workbench; the applicant corrects on the progress page; the clerk accepts;
two departments (市场监管, 消防) decide in parallel in the workbench; the applicant sees the unified
result and downloads a notice (the notices are issued by the case engine, banshi.cases.notices).

Like the portal's other browser tests: Debian chromium through Playwright, skipped with the reason
when either is missing unless BANSHI_REQUIRE_BROWSER=1. Screenshots at 1366×768 and 375×812 go to
test-artifacts/screenshots/apply-*.png.
"""

from __future__ import annotations

import os
import re

import pytest

from banshi.cases.models import Application, ApplicationStatus
from banshi.catalog.management.commands.catalog import national_files
from banshi.catalog.selectors import invalidate_snapshot
from banshi.catalog.services import load_catalogue
from banshi.core.services import DEMO_PASSWORD, ensure_demo_accounts
from banshi.documents.models import Document
from banshi.portal.tests.test_browser import (
    DESKTOP,
    PHONE,
    SCREENSHOTS,
    _no_horizontal_scroll,
)

pytestmark = pytest.mark.browser

SMALL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
FORM_VALUES = {
    "主体类型": "有限责任公司",
    "住所(经营场所)": "郑州航空港经济综合实验区示例路1号",
    "经营项目": "热食类食品制售",
    "食品安全管理人员": "王芳",
    "招牌文字内容": "示例餐厅",
    "招牌面积(平方米)": "6",
    "招牌设置位置": "临街一层门头",
    "场所所在楼层": "一层",
}


def _need_pdf() -> None:
    from banshi.documents import render

    problem = render.weasyprint_problem()
    if problem is None and render.cjk_fonts_installed():
        return
    reason = f"receipts need WeasyPrint and Noto CJK fonts here: {problem or 'fonts missing'}"
    if os.environ.get("BANSHI_REQUIRE_SERVICES") == "1":
        pytest.fail(f"BANSHI_REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture
def site(transactional_db, live_server, settings, tmp_path):
    """The live server with the national catalogue and the demo accounts."""
    _need_pdf()
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BANSHI_PUBLIC_URL = live_server.url
    files = national_files()
    if not files:
        pytest.skip("the national catalogue is not shipped in this checkout")
    invalidate_snapshot()
    load_catalogue(files)
    invalidate_snapshot()
    ensure_demo_accounts()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    pdf = tmp_path / "扫描件.pdf"
    pdf.write_bytes(SMALL_PDF)
    yield live_server.url, pdf
    invalidate_snapshot()


def _page(browser, viewport):
    context = browser.new_context(viewport=viewport, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    return context, page


def _shoot(page, name: str, *, fold: bool = False) -> None:
    page.screenshot(path=SCREENSHOTS / f"apply-{name}.png", full_page=not fold)
    _no_horizontal_scroll(page)


def _login(page, base: str, username: str, next_url: str) -> None:
    page.goto(f"{base}/accounts/login/?next={next_url}")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(f"**{next_url}")


def _logout(page) -> None:
    """The shared header's 退出 (the portal and the workbench both use it)."""
    page.locator(".account-nav").get_by_role("button", name="退出").click()
    page.wait_for_load_state()


def _apply(page, base: str, pdf, *, outdoor_sign: bool, shots: bool = False) -> str:
    """From the bundle guide to the receipt page; returns the application number."""
    _login(page, base, "enterprise", "/bundles/KBCYD/")
    page.get_by_label("经营场所建筑面积是多少平方米?").fill("500")
    page.locator("#plan-item-count", has_text="3 项").wait_for()
    if outdoor_sign:
        page.get_by_label("是", exact=True).check()
        page.locator("#plan-item-count", has_text="4 项").wait_for()
    page.get_by_label("消防安全检查选择哪种方式?").select_option("告知承诺")
    page.locator("#apply-cta a[href*='fire.route']").wait_for()
    page.locator("#apply-cta").get_by_role("link", name="在线申请").click()
    page.wait_for_url("**/apply/bundle/KBCYD/?*")
    assert page.get_by_label(re.compile("示例餐饮管理有限公司")).is_checked()
    if shots:
        _shoot(page, "start-desktop")
    page.get_by_role("button", name="开始申请").click()
    page.wait_for_url("**/situation/")
    assert page.get_by_label("经营场所建筑面积是多少平方米?").input_value() == "500"
    if shots:
        _shoot(page, "situation-desktop")
    page.get_by_role("button", name="下一步：查看办理方案").click()
    page.wait_for_url("**/plan/")
    if shots:
        _shoot(page, "plan-desktop")
    page.get_by_role("link", name="下一步：填写表单").click()
    page.wait_for_url("**/form/")
    assert page.get_by_label("统一社会信用代码").input_value() == ""  # nothing before consent
    if shots:
        _shoot(page, "form-before-consent-desktop", fold=True)
    page.get_by_label("同意复用本人已提交的信息").check()
    page.get_by_role("button", name="同意并预填").click()
    page.wait_for_url("**/form/*")
    assert page.get_by_label("统一社会信用代码").input_value() == "91350100M000100Y43"
    assert page.get_by_text("来自一企一档：营业执照").first.is_visible()
    page.get_by_label("主体业态").select_option("餐饮服务经营者")
    for label, value in FORM_VALUES.items():
        if not outdoor_sign and label.startswith("招牌"):
            continue
        page.get_by_label(label, exact=True).fill(value)
    page.locator("#save-status", has_text="已自动保存").wait_for()  # htmx autosave
    if shots:
        _shoot(page, "form-desktop")
    page.get_by_role("button", name="下一步：上传材料").click()
    page.wait_for_url("**/materials/")
    pending = page.locator(".material-card.needs-upload:has(.badge-route-upload)")
    while pending.count():
        card = pending.first
        card.locator("input[type=file]").set_input_files(str(pdf))
        card.get_by_role("button", name="上传", exact=True).click()
        page.wait_for_load_state()
    if shots:
        _shoot(page, "materials-desktop")
    page.get_by_role("link", name="下一步：预审").click()
    page.wait_for_url("**/review/")
    assert page.get_by_text("预审通过，可以提交。").is_visible()
    if shots:
        _shoot(page, "review-desktop")
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_url("**/applications/*/?submitted=1")
    assert page.get_by_text("申请已提交").is_visible()
    return page.locator("#application-number").inner_text().strip()


def test_an_enterprise_applies_for_a_national_bundle_and_downloads_its_receipt(browser, site):
    base, pdf = site
    context, page = _page(browser, DESKTOP)
    try:
        number = _apply(page, base, pdf, outdoor_sign=True, shots=True)
        application = Application.objects.get(number=number)
        departments = set(application.cases.values_list("department__code", flat=True))
        assert departments == {"SCJG", "CG", "XF"}
        _shoot(page, "receipt-desktop")
        page.screenshot(path=SCREENSHOTS / "apply-receipt-desktop-fold.png")
        receipt = page.locator(".document-list li[data-kind='receipt']")
        with page.expect_download() as download:
            receipt.get_by_role("link", name="下载 PDF").click()
        path = download.value.path()
        assert download.value.suggested_filename.endswith(".pdf")
        with open(path, "rb") as handle:
            assert handle.read(5) == b"%PDF-"
        # a retried submit (back button, submit again) shows the same one application
        page.go_back()
        page.goto(f"{base}/me/")
        assert page.locator(".my-applications tbody tr").count() == 1
        _shoot(page, "me-desktop")
    finally:
        context.close()

    context, page = _page(browser, PHONE)
    try:
        _login(page, base, "enterprise", f"/applications/{number}/")
        _shoot(page, "receipt-phone")
        page.goto(f"{base}/bundles/KBCYD/?shop.area=500")
        page.locator("#apply-cta").get_by_role("link", name="在线申请").click()
        page.get_by_role("button", name="开始申请").click()
        page.wait_for_url("**/situation/")
        _shoot(page, "situation-phone")
        draft = page.url.rstrip("/").rsplit("/", 2)[-2]
        page.goto(f"{base}/apply/{draft}/form/")
        _shoot(page, "form-phone")
        page.goto(f"{base}/apply/{draft}/materials/")
        _shoot(page, "materials-phone")
        page.goto(f"{base}/apply/{draft}/review/")
        _shoot(page, "review-phone")
        page.goto(f"{base}/me/")
        _shoot(page, "me-phone")
    finally:
        context.close()


def _act(page, base: str, case: str, *, on_the_spot: bool, reasons: str) -> None:
    """Decide (after starting the review, or on the spot), issue and deliver one case."""
    page.goto(f"{base}/workbench/cases/{case}/")
    if on_the_spot:
        section = page.locator("#act-decide-on-the-spot")
        button = "当场作出决定"
    else:
        page.locator("#act-start-review").get_by_role("button", name="开始审查").click()
        page.wait_for_url(f"**/cases/{case}/")
        section = page.locator("#act-decide")
        button = "作出决定"
    section.get_by_label("准予许可").check()
    section.get_by_label("决定理由").fill(reasons)
    section.get_by_role("button", name=button).click()
    page.wait_for_url(f"**/cases/{case}/")
    page.locator("#act-issue").get_by_role("button", name="制证").click()
    page.wait_for_url(f"**/cases/{case}/")
    page.locator("#act-close").get_by_label("送达方式").select_option("网上送达")
    page.locator("#act-close").get_by_role("button", name="送达并办结").click()
    page.wait_for_url(f"**/cases/{case}/")


def test_the_whole_bundle_from_application_to_unified_result(browser, site):
    base, pdf = site
    context, page = _page(browser, DESKTOP)
    try:
        # 1. the applicant applies (市场监管 + 消防: two departments)
        number = _apply(page, base, pdf, outdoor_sign=False)
        application = Application.objects.get(number=number)
        assert set(application.cases.values_list("department__code", flat=True)) == {"SCJG", "XF"}
        _logout(page)

        # 2. the window clerk asks for one correction (一次性告知) in the workbench
        _login(page, base, "window_clerk", f"/workbench/applications/{number}/")
        section = page.locator("#act-correction")
        section.locator("summary").click()
        layout = "与食品经营相适应的主要设备设施、经营布局、操作流程等文件"
        section.get_by_role("checkbox", name=re.compile(layout)).first.check()
        section.get_by_label(f"{layout} 的补正要求").first.fill("布局图须标明加工操作区域及面积")
        section.get_by_role("button", name="发出补正材料通知书").click()
        page.wait_for_url(f"**/workbench/applications/{number}/")
        assert Application.objects.get(number=number).correction_notice.items
        _logout(page)

        # 3. the applicant corrects on the progress page
        _login(page, base, "enterprise", f"/applications/{number}/")
        assert page.get_by_role("heading", name="需要补正").is_visible()
        assert page.get_by_text("布局图须标明加工操作区域及面积").is_visible()
        notice = page.locator(".document-list li[data-kind='correction']")  # 补正材料通知书
        assert notice.get_by_role("link", name="下载 PDF").is_visible()
        _shoot(page, "correction-desktop")
        corrected = pdf.with_name("布局图-修改.pdf")
        corrected.write_bytes(SMALL_PDF.replace(b"200 200", b"300 300"))
        card = page.locator(".correction-panel .material-card").first
        card.locator("input[type=file]").set_input_files(str(corrected))
        card.get_by_role("button", name="上传", exact=True).click()
        page.wait_for_load_state()
        page.get_by_role("button", name="提交补正").click()
        page.get_by_text("补正材料已提交，等待窗口受理。").wait_for()
        _logout(page)

        # 4. the clerk accepts for every department at once
        _login(page, base, "window_clerk", f"/workbench/applications/{number}/")
        page.locator("#act-accept").get_by_role("button", name="受理").click()
        page.wait_for_url(f"**/workbench/applications/{number}/")
        assert Application.objects.get(number=number).status == ApplicationStatus.IN_PROGRESS
        _logout(page)

        # 5. 市场监管 verifies the business licence on the spot (everything else waits for it),
        #    then 市场监管 and 消防 decide their cases in parallel
        _login(page, base, "scjg_reviewer", "/workbench/cases/")
        _act(page, base, f"{number}-01", on_the_spot=True, reasons="营业执照信息核验一致")
        page.goto(f"{base}/workbench/cases/{number}-02/")
        page.locator("#act-start-review").get_by_role("button", name="开始审查").click()
        page.wait_for_url(f"**/cases/{number}-02/")
        _logout(page)
        _login(page, base, "xf_reviewer", "/workbench/cases/")
        _act(page, base, f"{number}-03", on_the_spot=True, reasons="告知承诺材料齐全，当场许可")
        _logout(page)
        _login(page, base, "scjg_reviewer", "/workbench/cases/")
        section = page.locator("#act-decide")
        page.goto(f"{base}/workbench/cases/{number}-02/")
        section.get_by_label("准予许可").check()
        section.get_by_label("决定理由").fill("材料齐全，符合法定条件")
        section.get_by_role("button", name="作出决定").click()
        page.wait_for_url(f"**/cases/{number}-02/")
        page.locator("#act-issue").get_by_role("button", name="制证").click()
        page.wait_for_url(f"**/cases/{number}-02/")
        page.locator("#act-close").get_by_role("button", name="送达并办结").click()
        page.wait_for_url(f"**/cases/{number}-02/")
        _logout(page)
        application = Application.objects.get(number=number)
        assert application.status == ApplicationStatus.COMPLETED
        assert application.output["granted"] == 3

        # 6. the applicant sees the unified result and downloads the decision
        _login(page, base, "enterprise", f"/applications/{number}/")
        assert page.get_by_text("办理结果（统一出件）").is_visible()
        assert page.get_by_text("准予 3 项，不予 0 项。").is_visible()
        timeline = page.locator(".timeline")
        assert timeline.get_by_text("一次性告知补正").first.is_visible()
        assert timeline.get_by_text("补正材料已提交").first.is_visible()
        assert timeline.get_by_text("当场准予").count() == 2  # 市场监管 and 消防
        assert timeline.get_by_text("办结（统一出件）").is_visible()
        _shoot(page, "result-desktop")
        decision = page.locator(".document-list li[data-kind='grant']").first
        with page.expect_download() as download:
            decision.get_by_role("link", name="下载 PDF").click()
        with open(download.value.path(), "rb") as handle:
            assert handle.read(5) == b"%PDF-"
        kinds = list(
            Document.objects.filter(application=application).values_list("kind", flat=True)
        )
        assert sorted(kinds) == ["acceptance", "correction", "grant", "grant", "grant", "receipt"]
    finally:
        context.close()

    context, page = _page(browser, PHONE)
    try:
        _login(page, base, "enterprise", f"/applications/{number}/")
        _shoot(page, "result-phone")
    finally:
        context.close()
