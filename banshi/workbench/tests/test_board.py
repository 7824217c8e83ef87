"""The supervisor's board: yellow and red cases across departments, open supervisions, and the
overdue count per department as a server-rendered SVG."""

from __future__ import annotations

import datetime as dt

import pytest

from banshi.cases import services
from banshi.cases.tests import factories
from banshi.core import clock
from banshi.workbench import charts, selectors
from banshi.workbench.tests.conftest import client_for

pytestmark = pytest.mark.django_db

THURSDAY = dt.date(2025, 3, 6)  # 企业设立登记 (3 days) accepted Monday: its last day → yellow
MONDAY_AFTER = dt.date(2025, 3, 10)  # two working days overdue → red


def board(user, day):
    with clock.frozen(day):
        return client_for(user).get("/workbench/supervision/").content.decode()


def test_the_board_lists_a_yellow_case(supervisor):
    case = factories.case_of(factories.accepted(), "SCJG-DJ-001")
    page = board(supervisor, THURSDAY)
    row = page[page.index(f'data-case="{case.number}"') :]
    assert "黄色预警" in row[: row.index("</tr>")]


def test_the_board_lists_a_red_case_first(supervisor):
    late = factories.case_of(factories.accepted(answers={"shop.area": 500}), "SCJG-DJ-001")
    later = factories.case_of(factories.accepted(bundle=None, item="WS-BA-002"), "WS-BA-002")
    page = board(supervisor, MONDAY_AFTER)
    assert "超期 2 个工作日" in page
    assert page.index(f'data-case="{late.number}"') < page.index(f'data-case="{later.number}"')


def test_a_case_with_time_left_is_not_on_the_board(supervisor):
    case = factories.case_of(factories.accepted(), "SCJG-XK-001")  # 20 days
    assert f'data-case="{case.number}"' not in board(supervisor, THURSDAY)


def test_the_board_counts_overdue_cases_per_department_in_an_svg(supervisor):
    factories.accepted(answers={"shop.area": 500})
    page = board(supervisor, MONDAY_AFTER)
    assert '<svg class="bar-chart"' in page
    assert "市场监督管理局：超期 1 件" in page


def test_the_board_lists_open_supervision_records(supervisor):
    case = factories.case_of(factories.accepted(), "SCJG-DJ-001")
    services.raise_supervisions(MONDAY_AFTER)
    page = board(supervisor, MONDAY_AFTER)
    records = page[page.index('id="sup-title"') :]
    assert case.number in records
    assert "决定时限已超期" in records


def test_a_department_head_sees_only_the_departments_warnings(catalogue):
    from banshi.workbench.tests.conftest import staff

    factories.accepted(bundle=None, item="WS-BA-002")
    scjg = factories.case_of(factories.accepted(), "SCJG-DJ-001")
    head = staff("department_head", department="WS")
    page = board(head, MONDAY_AFTER)
    assert f'data-case="{scjg.number}"' not in page
    assert "卫生备案" in page


def test_the_bar_chart_escapes_names_and_scales_to_the_largest_count():
    rows = [
        selectors.DepartmentCount("A", "<局>", red=4, yellow=0),
        selectors.DepartmentCount("B", "乙局", red=1, yellow=1),
    ]
    svg = str(charts.department_bars(rows))
    assert "&lt;局&gt;" in svg and "<局>" not in svg
    assert svg.count("<rect") == 3
    assert charts.department_bars([]) == ""


def test_the_landing_page_counts_warnings(supervisor):
    factories.accepted()
    with clock.frozen(MONDAY_AFTER):
        page = client_for(supervisor).get("/workbench/").content.decode()
    assert "预警办件" in page
    assert "其中已超期 1 件" in page
