"""The public pages render what the catalogue says (M-A3 guides, M-B bundles, M-K2 portal)."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.utils import translation

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    """The visible text of a page, tags and SVG stripped, whitespace collapsed."""
    html = response.content.decode()
    html = re.sub(r"<svg.*?</svg>", " ", html, flags=re.S)
    html = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"\s+", " ", html_lib.unescape(html))


def plan_items(response) -> list[str]:
    """Codes of the chosen items in a plan (rows of the plan's item table)."""
    table = response.content.decode().split('class="stack plan-items"', 1)
    if len(table) < 2:
        return []
    return re.findall(r'<tr class="[^"]*" data-item="([^"]+)"', table[1].split("</table>", 1)[0])


def htmx_get(client: Client, url: str):
    return client.get(url, headers={"HX-Request": "true"})


# --- home --------------------------------------------------------------------------------------


def test_home_groups_bundles_by_audience_and_stage(client, catalogue):
    text = text_of(client.get("/"))
    assert "个人办事" in text and "法人办事" in text
    assert text.index("法人办事") < text.index("准入准营") < text.index("开办餐饮店一件事")
    assert "出生" in text and "新生儿出生一件事" in text


def test_home_counts_bundles_items_and_departments(client, catalogue):
    text = text_of(client.get("/"))
    assert "3 个一件事" in text
    assert "6 个政务服务事项" in text
    assert "4 个部门" in text  # the department with nothing published is not counted


def test_home_separates_national_batches_from_local_featured(client, catalogue):
    text = text_of(client.get("/"))
    assert "2024年度第1批" in text
    local = text.split("本地特色一件事", 1)[1]
    assert "开办药店一件事" in local.split("按部门浏览", 1)[0]


def test_home_links_every_department_with_items(client, catalogue):
    html = client.get("/").content.decode()
    for code in ("SCJG", "XF", "GA", "WJ"):
        assert f'href="/departments/{code}/"' in html
    assert 'href="/departments/EMPTY/"' not in html


def test_home_without_a_catalogue_says_it_is_not_loaded(client, db):
    text = text_of(client.get("/"))
    assert "事项目录尚未加载" in text


def test_pages_load_only_local_assets(client, catalogue):
    html = client.get("/").content.decode()
    assert "/static/portal/portal.css" in html
    assert "/static/django_htmx/htmx-2.min.js" in html
    assert not re.search(r'(src|href)="(https?:)?//', html)


# --- search ------------------------------------------------------------------------------------


def test_search_lists_bundles_and_items_with_the_title_highlighted(client, catalogue):
    response = client.get("/search", {"q": "餐饮"})
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        '<a class="result-title" href="/bundles/KBCYD/">开办<mark>餐饮</mark>店一件事</a>' in html
    )
    assert "市场监督管理局" in text_of(response)


def test_search_without_a_query_asks_for_one(client, catalogue):
    text = text_of(client.get("/search"))
    assert "请输入要办的事" in text


def test_search_without_hits_says_so_kindly(client, catalogue):
    text = text_of(client.get("/search", {"q": "火星移民"}))
    assert "没有找到与“火星移民”相关的事项或一件事" in text


@pytest.mark.parametrize("query", ['"', "*", "AND (", "　 ", "！？。", "x" * 5000, "NEAR(a b)"])
def test_search_page_survives_odd_queries(client, catalogue, query):
    assert client.get("/search", {"q": query}).status_code == 200


# --- department --------------------------------------------------------------------------------


def test_department_page_lists_its_items_and_bundles(client, catalogue):
    text = text_of(client.get("/departments/GA/"))
    assert "公安局" in text
    assert "公章刻制备案" in text and "出生登记" in text
    assert "参与的一件事" in text and "开办餐饮店一件事" in text


def test_unknown_department_is_a_chinese_404(client, catalogue):
    response = client.get("/departments/NOPE/")
    assert response.status_code == 404
    assert "页面未找到" in text_of(response)


# --- item guide --------------------------------------------------------------------------------


def test_item_guide_shows_the_guide_elements(client, catalogue):
    text = text_of(client.get("/items/SCJG-XK-001/"))
    for expected in (
        "食品经营许可",
        "行政许可",
        "市场监督管理局",
        "法人",
        "《中华人民共和国食品安全法》第三十五条",
        "具有与经营的食品品种、数量相适应的经营场所",
        "10 个工作日",
        "20 个工作日",
        "不收费",
        "2 次",
        "现场核查",
        "食品经营许可证（电子证照）",
        "开办餐饮店一件事",
        "第 1 版",
    ):
        assert expected in text, expected


def test_item_guide_says_how_each_material_arrives(client, catalogue):
    text = text_of(client.get("/items/SCJG-XK-001/"))
    assert "从电子证照库调取「营业执照」，无需提交" in text
    assert "可容缺受理" in text
    assert "可告知承诺" in text
    assert "仅在“经营面积(平方米) > 300”时需要" in text


def test_item_guide_names_the_data_share_source(client, catalogue):
    text = text_of(client.get("/items/SCJG-DJ-001/"))
    assert "通过数据共享从「人口信息库」核验，无需提交" in text
    assert "窗口办理、网上办理" in text


def test_immediate_item_is_called_so_and_a_fee_is_shown(client, catalogue):
    text = text_of(client.get("/items/GA-YZ-001/"))
    assert "即办件" in text
    assert "按刻章企业标准收费" in text


def test_item_guide_draws_its_steps_as_svg(client, catalogue):
    html = client.get("/items/SCJG-XK-001/").content.decode()
    svg = html.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert "flowchart-steps" in svg
    assert all(step in svg for step in ("申请", "受理", "审查", "决定", "送达"))


def test_unknown_item_is_a_chinese_404(client, catalogue):
    response = client.get("/items/NOPE-001/")
    assert response.status_code == 404
    assert "您要找的事项、一件事或部门不存在" in text_of(response)


# --- bundle guide and plan ---------------------------------------------------------------------


def test_bundle_page_renders_each_question_with_its_widget(client, catalogue):
    html = client.get("/bundles/KBCYD/").content.decode()
    assert re.search(r'<input id="q0" name="shop.area" type="number"', html)
    assert 'type="radio" name="need_seal" value="true"' in html
    assert '<select id="q2" name="shop.kind"' in html and '<option value="饮品店"' in html
    assert re.search(r'<input id="q3" name="open_date" type="date"', html)
    assert 'hx-get="/bundles/KBCYD/plan"' in html
    assert 'method="get" action="/bundles/KBCYD/"' in html  # works without JavaScript too


def test_unanswered_plan_leaves_out_conditional_items_and_says_why(client, catalogue):
    response = client.get("/bundles/KBCYD/")
    assert plan_items(response) == ["SCJG-DJ-001", "SCJG-XK-001"]
    text = text_of(response)
    assert "不适用的事项" in text
    assert "适用条件“经营面积是多少平方米 > 300”不成立：尚未回答“经营面积是多少平方米?”" in text


def test_an_area_of_500_brings_in_the_fire_check(client, catalogue):
    assert "XF-JC-001" in plan_items(client.get("/bundles/KBCYD/", {"shop.area": "500"}))
    assert "XF-JC-001" not in plan_items(client.get("/bundles/KBCYD/", {"shop.area": "120"}))


def test_the_plan_fragment_changes_when_an_answer_changes(client, catalogue):
    small = htmx_get(client, "/bundles/KBCYD/plan?shop.area=120")
    large = htmx_get(client, "/bundles/KBCYD/plan?shop.area=500")
    assert "<html" not in small.content.decode()  # a fragment, not a page
    assert plan_items(small) == ["SCJG-DJ-001", "SCJG-XK-001"]
    assert plan_items(large) == ["SCJG-DJ-001", "SCJG-XK-001", "XF-JC-001"]
    assert "消防安全方案" in text_of(large) and "消防安全方案" not in text_of(small)


def test_a_bool_answer_is_read_as_yes(client, catalogue):
    response = htmx_get(client, "/bundles/KBCYD/plan?need_seal=true")
    assert "GA-YZ-001" in plan_items(response)
    assert "GA-YZ-001" not in plan_items(htmx_get(client, "/bundles/KBCYD/plan?need_seal=false"))


def test_the_plan_fragment_keeps_the_answers_in_the_address_bar(client, catalogue):
    response = htmx_get(client, "/bundles/KBCYD/plan?shop.area=500&junk=1")
    assert response["HX-Replace-Url"] == "/bundles/KBCYD/?shop.area=500"


def test_the_plan_address_without_htmx_sends_the_browser_to_the_page(client, catalogue):
    response = client.get("/bundles/KBCYD/plan?shop.area=500")
    assert response.status_code == 302
    assert response["Location"] == "/bundles/KBCYD/?shop.area=500"


def test_a_malformed_answer_shows_a_bilingual_error_and_the_unanswered_plan(client, catalogue):
    response = client.get("/bundles/KBCYD/", {"shop.area": "abc", "open_date": "2026-02-30"})
    assert response.status_code == 200
    text = text_of(response)
    assert "请输入数字 / Please enter a number." in text
    assert "请输入有效日期" in text and "Please enter a valid date" in text
    assert 'aria-invalid="true"' in response.content.decode()
    assert plan_items(response) == ["SCJG-DJ-001", "SCJG-XK-001"]


def test_a_malformed_answer_in_the_fragment_updates_the_error_out_of_band(client, catalogue):
    html = htmx_get(client, "/bundles/KBCYD/plan?shop.area=abc").content.decode()
    assert re.search(r'<p id="q0-error" class="field-error" hx-swap-oob="true">请输入数字', html)
    assert re.search(r'<p id="q1-error" class="field-error" hx-swap-oob="true" hidden>', html)


def test_an_unknown_enum_option_is_an_error_not_a_crash(client, catalogue):
    response = client.get("/bundles/KBCYD/", {"shop.kind": "<script>"})
    assert response.status_code == 200
    assert "请从列表中选择" in text_of(response)
    assert "<script>" not in response.content.decode().split("<main", 1)[1]


def test_the_plan_splits_materials_by_route(client, catalogue):
    text = text_of(client.get("/bundles/KBCYD/", {"shop.area": "500"}))
    upload = text.split("需上传 4", 1)[1].split("电子证照免提交 1", 1)[0]
    assert "经营场所使用证明" in upload and "消防安全方案" in upload
    licence = text.split("电子证照免提交 1", 1)[1].split("数据共享免提交 1", 1)[0]
    assert "营业执照副本" in licence
    assert "由本一件事中的「企业设立登记」办结后出具电子证照「营业执照」" in licence
    assert "居民身份证" in text.split("数据共享免提交 1", 1)[1]


def test_the_plan_shows_days_against_the_sum_and_the_dependency_graph(client, catalogue):
    response = client.get("/bundles/KBCYD/", {"shop.area": "500"})
    text = text_of(response)
    assert "11 个工作日" in text and "分别办理合计 21 个工作日" in text
    html = response.content.decode()
    graph = html.split('class="flowchart flowchart-dag"', 1)[1].split("</svg>", 1)[0]
    assert graph.count('class="fc-node fc-critical"') == 2  # 设立登记 → 食品经营许可
    assert graph.count('class="fc-edge fc-critical"') == 1
    assert graph.count('class="fc-edge"') == 1  # the fire check hangs off registration too


def test_the_plan_shows_the_merged_form_and_where_values_come_from(client, catalogue):
    text = text_of(client.get("/bundles/KBCYD/", {"shop.area": "500"}))
    assert "登录后从一企一档自动预填" in text
    assert "已由情形回答带入" in text
    assert "经营场所地址 需填写" in text


def test_the_plan_marks_each_reduction_target_met_or_not(client, catalogue):
    html = client.get("/bundles/KBCYD/").content.decode()
    rows = dict(re.findall(r'<tr data-reduction="(\w+)">(.*?)</tr>', html, flags=re.S))
    assert "达标" in rows["fields"] and "未达标" not in rows["fields"]  # 1 − 2/8 = 75% ≥ 50%
    assert "未达标" in rows["days"]  # 11 of 11 days: nothing saved in time
    assert "100%" in rows["visits"]


def test_an_item_not_in_force_today_is_left_out_of_the_plan_not_a_crash(client, catalogue):
    import datetime as dt

    from banshi.catalog.models import ServiceItemVersion
    from banshi.catalog.selectors import invalidate_snapshot
    from banshi.core import clock

    tomorrow = clock.today() + dt.timedelta(days=1)
    ServiceItemVersion.objects.filter(item__code="XF-JC-001").update(valid_from=tomorrow)
    invalidate_snapshot()
    response = client.get("/bundles/KBCYD/", {"shop.area": "500"})
    assert response.status_code == 200
    assert "XF-JC-001" not in plan_items(response)
    assert "公众聚集场所投入使用、营业前消防安全检查" in text_of(response).split("不适用的事项")[1]
    assert "该事项当前未发布或已停止实施" in text_of(response)


def test_unknown_bundle_is_a_chinese_404_also_for_the_fragment(client, catalogue):
    assert client.get("/bundles/NOPE/").status_code == 404
    assert htmx_get(client, "/bundles/NOPE/plan").status_code == 404


# --- language and errors -----------------------------------------------------------------------


def test_english_when_the_browser_asks_for_it(client, catalogue):
    text = text_of(client.get("/bundles/KBCYD/", headers={"Accept-Language": "en"}))
    assert "Your situation" in text and "Lead department" in text
    assert "开办餐饮店一件事" in text  # catalogue content stays as published


def test_english_when_the_language_cookie_says_so(client, catalogue):
    client.cookies["django_language"] = "en"
    response = client.get("/items/NOPE/")
    assert response.status_code == 404 and "Page not found" in text_of(response)


def test_the_language_switch_sets_the_language(client, catalogue):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/search"})
    assert response.status_code == 302 and response["Location"] == "/search"
    assert "Search items and bundles" in text_of(client.get("/search"))


def test_the_500_page_is_chinese_and_standalone():
    with translation.override("zh-hans"):
        html = render_to_string("500.html")
    assert "系统繁忙" in html and "/static/portal/portal.css" in html
