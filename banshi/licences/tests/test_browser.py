"""In a real browser (Debian chromium through Playwright), the electronic licence as people meet it:

an enterprise's 食品经营许可 is accepted with one material deferred (容缺受理) and granted → the
licence appears in 我的证照 "with remark" (standards §2.15) → the public verification page, opened from
the licence's QR URL, says it is valid and masks the numbers → an altered token and an altered
identifier say why they fail → the applicant uploads the missing material on the 容缺补交 page → the
replacement licence carries no remark and the old one reads "已换发" → the holder finds the messages
in /messages/ → an auditor finds the reviewer's reads of the case in /audit/.

State the UI is not about (catalogue, submission, acceptance, the grant) is built through the
services; what people see is driven in the browser. The clock is frozen on the working days of the
story (the platform's one clock is process-wide, so the live server sees the same day). Screenshots
go to test-artifacts/screenshots/licences-*.png (desktop 1366×768, phone 390×844). Skips without
playwright or chromium unless BANSHI_REQUIRE_BROWSER=1 (see appeals/tests/test_browser.py).
"""

from __future__ import annotations

import datetime as dt

import pytest

from banshi.appeals.tests.test_browser import (
    DESKTOP,
    SCREENSHOTS,
    _context,
    _no_horizontal_scroll,
)
from banshi.licences.tests.test_commitment_wiring import CATALOGUE, LATER, LEASE_UPLOADED

pytestmark = pytest.mark.browser
PASSWORD = "Banshi-Test-2026!"
PHONE = {"width": 390, "height": 844}
WEDNESDAY = dt.date(2025, 3, 5)
# The smallest file the upload check accepts as a PDF (magic bytes and an end marker).
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _login(page, base: str, username: str, next_url: str) -> None:
    page.goto(f"{base}/accounts/login/?next={next_url}")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"**{next_url}")


def _with_password(user):
    user.set_password(PASSWORD)
    user.save()
    return user


def _granted_with_deferred_material():
    """An enterprise's application: one material uploaded, one deferred (容缺), accepted, reviewed
    and granted on MONDAY; the outbox is dispatched so the messages exist."""
    from banshi.cases import services
    from banshi.cases.tests.factories import (
        MONDAY,
        clerk,
        fresh,
        head,
        load_catalogue,
        make_enterprise,
        make_person,
        reviewing,
    )
    from banshi.core import clock
    from banshi.webhooks import delivery

    load_catalogue(CATALOGUE)
    person = make_person("陈伟")
    enterprise = make_enterprise(person, name="示例餐饮管理有限公司")
    reviewer = _with_password(head())
    with clock.frozen(MONDAY):
        application = services.submit_application(
            person,
            item_code="CN-001",
            enterprise=enterprise,
            form_data={"enterprise.name": enterprise.name},
            materials=[LEASE_UPLOADED, LATER],
            idempotency_key="browser-licence",
            channel="web",
        )
        services.accept(application, clerk(), application.version)
    case = reviewing(fresh(application).cases.get(), reviewer)
    with clock.frozen(MONDAY):
        services.decide(case, True, "符合条件", reviewer, case.version)
        delivery.dispatch_outbox()
    return fresh(case), _with_password(person.user), reviewer


def test_a_remarked_licence_is_verified_publicly_and_replaced_once_the_material_arrives(
    browser,
    transactional_db,
    live_server,
    settings,
    tmp_path,
):
    from banshi.cases.tests.factories import make_staff
    from banshi.core import clock
    from banshi.licences.models import Licence, LicenceStatus
    from banshi.licences.views import verify_url
    from banshi.webhooks import delivery

    settings.BANSHI_PUBLIC_URL = live_server.url  # the QR code points at this server
    settings.MEDIA_ROOT = tmp_path / "media"
    case, user, reviewer = _granted_with_deferred_material()
    auditor = _with_password(make_staff("auditor", department="SCJG"))
    licence = Licence.objects.get(case=case)
    assert licence.remark  # the service wiring is tested in test_commitment_wiring.py
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    base = live_server.url

    with clock.frozen(WEDNESDAY):
        # 1. 我的证照: the licence with its remark and QR code.
        context, page = _context(browser, DESKTOP)
        _login(page, base, user.username, "/licences/mine/")
        card = page.locator("article.licence-card", has_text=licence.name)
        assert "有效" in card.inner_text()
        assert "加注：容缺受理，待补齐：食品安全管理制度" in card.inner_text()
        assert card.locator("svg.licence-qr").count() == 1
        page.screenshot(path=SCREENSHOTS / "licences-01-mine-with-remark.png", full_page=True)
        link = card.get_by_role("link", name="核验页面")
        qr_url = link.get_attribute("href")
        assert qr_url == verify_url(licence)

        # 2. The public verification page (no login) opened from the QR URL.
        public, visitor = _context(browser, PHONE)
        visitor.goto(qr_url)
        verdict = visitor.locator(".licence-verdict")
        assert "证照真实有效" in verdict.inner_text()
        facts = visitor.locator("dl.licence-facts").inner_text()
        assert "示例餐饮管理有限公司" in facts and "容缺受理" in facts
        assert licence.number not in facts and "*" in facts  # 证照编号 masked
        assert user.person.id_number not in visitor.content()  # the representative never shows
        visitor.screenshot(path=SCREENSHOTS / "licences-02-verify-valid-phone.png", full_page=True)
        _no_horizontal_scroll(visitor)

        # 3. An altered token and an altered identifier say why they fail.
        token = licence.token
        forged = token[:-1] + ("A" if token[-1] != "A" else "B")
        visitor.goto(f"{base}/licences/v/{forged}/")
        assert "核验失败" in visitor.locator(".licence-verdict").inner_text()
        assert "电子证照库中没有此证照" in visitor.locator(".licence-verdict").inner_text()
        visitor.screenshot(path=SCREENSHOTS / "licences-03-forged-token-phone.png", full_page=True)
        identifier = licence.identifier
        altered = identifier[:-1] + ("0" if identifier[-1] != "0" else "1")
        visitor.get_by_label("输入证照标识核验 / check a licence identifier").fill(altered)
        visitor.get_by_role("button", name="核验").click()
        visitor.wait_for_url("**/licences/verify/?id=*")
        failure = visitor.locator(".licence-verdict").inner_text()
        assert "核验失败" in failure and "证照标识无效" in failure
        assert visitor.locator("#licence-id").input_value() == altered
        assert visitor.locator("#header-q").input_value() == ""  # the site search stays empty
        visitor.screenshot(path=SCREENSHOTS / "licences-04-altered-id-phone.png", full_page=True)
        _no_horizontal_scroll(visitor)
        public.close()

        # 4. 容缺补交: from 我的信用 to the supplement page, upload the material.
        page.goto(f"{base}/credit/mine/")
        owed = page.locator("#supplement-title").locator("xpath=..").inner_text()
        assert "食品安全管理制度" in owed and "2025-03-17" in owed
        page.screenshot(path=SCREENSHOTS / "licences-05-credit-mine-owed.png", full_page=True)
        page.get_by_role("link", name="去补交").click()
        page.wait_for_url("**/credit/supplements/*/")
        page.screenshot(path=SCREENSHOTS / "licences-05-supplement-page.png", full_page=True)
        page.locator("input[name=files]").set_input_files(
            {"name": "食品安全管理制度.pdf", "mimeType": "application/pdf", "buffer": PDF}
        )
        page.get_by_role("button", name="提交补交材料").click()
        page.wait_for_url("**/credit/mine/")
        assert "已补交" in page.locator("[role=status]").inner_text()
        delivery.dispatch_outbox()

        # 5. The replacement has no remark; the old licence reads 已换发.
        page.goto(f"{base}/licences/mine/")
        cards = page.locator("article.licence-card", has_text=licence.name)
        assert cards.count() == 2
        assert cards.first.locator(".licence-status-valid").count() == 1  # in force comes first
        current = cards.filter(has=page.locator(".licence-status-valid"))
        assert current.count() == 1 and "加注" not in current.inner_text()
        assert "已换发" in cards.filter(has=page.locator(".licence-status-replaced")).inner_text()
        page.screenshot(path=SCREENSHOTS / "licences-06-mine-replaced.png", full_page=True)
        phone, pocket = _context(browser, PHONE)
        phone.add_cookies(context.cookies())
        pocket.goto(f"{base}/licences/mine/")
        pocket.screenshot(path=SCREENSHOTS / "licences-06-mine-replaced-phone.png", full_page=True)
        _no_horizontal_scroll(pocket)
        phone.close()

        # 6. The holder's messages: the licence was issued, then replaced.
        page.goto(f"{base}/messages/")
        inbox = page.locator("main").inner_text()
        assert "电子证照已签发" in inbox and "电子证照已换发" in inbox
        page.screenshot(path=SCREENSHOTS / "licences-07-messages.png", full_page=True)
        context.close()

        # 7. The reviewer opens the case in the workbench; the auditor finds that read.
        staff, desk = _context(browser, DESKTOP)
        _login(desk, base, reviewer.username, f"/workbench/cases/{case.number}/")
        staff.close()
        audit, auditor_page = _context(browser, DESKTOP)
        _login(auditor_page, base, auditor.username, "/audit/")
        auditor_page.get_by_label("办件编号").fill(case.number)
        auditor_page.get_by_role("button", name="查询").click()
        rows = auditor_page.locator("table.audit-table tbody tr", has_text=reviewer.username)
        assert rows.count() >= 1 and "查看办件" in rows.first.inner_text()
        assert user.person.id_number not in auditor_page.content()  # masked for the auditor too
        assert auditor_page.locator("#header-q").input_value() == ""
        auditor_page.screenshot(path=SCREENSHOTS / "licences-08-audit.png", full_page=True)
        audit.close()

    replaced = Licence.objects.get(pk=licence.pk)
    assert replaced.status == LicenceStatus.REPLACED
    assert Licence.objects.get(replaces=replaced).remark == ""
