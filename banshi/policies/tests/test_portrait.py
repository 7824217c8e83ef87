"""The enterprise portrait: values with their sources, and department files (good rows in, bad rows reported)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from banshi.people.models import Enterprise
from banshi.policies import services
from banshi.policies.models import (
    EnterprisePortrait,
    PortraitChange,
    PortraitValueSource,
)
from banshi.policies.synthetic import fake_uscc


def csv_bytes(text: str) -> bytes:
    return text.encode("utf-8-sig")


def test_setting_values_records_each_source_and_queues_the_enterprise(make_enterprise, departments):
    enterprise = make_enterprise()
    services.set_portrait_values(
        enterprise,
        {"enterprise.is_high_tech": "是", "enterprise.industry_code": "C3911"},
        kind="licence",
        department=departments["KJ"],
        reference="高新技术企业证书 GR202541000123",
        as_of=dt.date(2025, 5, 20),
    )
    portrait = EnterprisePortrait.objects.get(enterprise=enterprise)
    assert portrait.is_high_tech is True
    assert (portrait.industry_code, portrait.industry_division, portrait.industry_section) == (
        "3911",
        "39",
        "C",
    )
    source = PortraitValueSource.objects.get(
        enterprise=enterprise, attribute="enterprise.is_high_tech"
    )
    assert (source.kind, source.department, source.as_of) == (
        "licence",
        departments["KJ"],
        dt.date(2025, 5, 20),
    )
    assert (
        PortraitChange.objects.filter(enterprise=enterprise, processed_by__isnull=True).count() == 1
    )


def test_a_bad_value_is_refused_and_nothing_is_written(make_enterprise):
    enterprise = make_enterprise(employees=10)
    with pytest.raises(services.PolicyError) as caught:
        services.set_portrait_values(
            enterprise, {"enterprise.employees": "十个", "enterprise.nothing": 1}
        )
    assert "从业人数" in str(caught.value) and "enterprise.nothing" in str(caught.value)
    assert EnterprisePortrait.objects.get(enterprise=enterprise).employees == 10
    assert not PortraitChange.objects.exists()


def test_a_csv_file_imports_good_rows_and_reports_bad_ones(make_enterprise, departments, staff):
    good, bad = make_enterprise(), make_enterprise()
    content = csv_bytes(
        "统一社会信用代码,注册资本(万元),从业人数,高新技术企业,成立日期,纳税信用等级\n"
        f"{good.uscc},1200.50,35,是,2019-05-01,A\n"
        f"{bad.uscc},很多,3.5,是,2019-02-30,A\n"
        "91410173MA00000000,100,1,否,2020-01-01,B\n"
    )
    record = services.import_portrait_file(
        content, "科技局2025.csv", department=departments["KJ"], user=staff["kj_reviewer"]
    )
    assert (record.rows_total, record.rows_imported, record.rows_rejected) == (3, 1, 2)
    portrait = EnterprisePortrait.objects.get(enterprise=good)
    assert portrait.registered_capital == Decimal("1200.50") and portrait.employees == 35
    assert portrait.established_on == dt.date(2019, 5, 1) and portrait.tax_credit_level == "A"
    assert EnterprisePortrait.objects.get(enterprise=bad).registered_capital is None
    errors = {(e["row"], e["column"]): e for e in record.errors}
    assert (
        "不是数值" in errors[(3, "注册资本")]["zh"]
        and "not a number" in errors[(3, "注册资本")]["en"]
    )
    assert "应为整数" in errors[(3, "从业人数")]["zh"]
    assert "日期不存在" in errors[(3, "成立日期")]["zh"]
    assert "校验位" in errors[(4, "统一社会信用代码")]["zh"]


def test_imported_values_carry_the_department_and_date(make_enterprise, departments):
    enterprise = make_enterprise()
    services.import_portrait_file(
        csv_bytes(f"uscc,enterprise.revenue\n{enterprise.uscc},880\n"),
        "税务.csv",
        department=departments["SCJG"],
        as_of=dt.date(2025, 3, 31),
    )
    source = PortraitValueSource.objects.get(enterprise=enterprise, attribute="enterprise.revenue")
    assert (source.kind, source.department.code, source.as_of) == (
        "department",
        "SCJG",
        dt.date(2025, 3, 31),
    )
    assert "税务.csv" in source.reference


def test_a_blank_cell_leaves_the_value_alone(make_enterprise, departments):
    enterprise = make_enterprise(employees=12, revenue=Decimal("50"))
    services.import_portrait_file(
        csv_bytes(f"统一社会信用代码,从业人数,revenue\n{enterprise.uscc},,70\n"),
        "a.csv",
        department=departments["KJ"],
    )
    portrait = EnterprisePortrait.objects.get(enterprise=enterprise)
    assert (portrait.employees, portrait.revenue) == (12, Decimal("70.00"))


def test_an_excel_file_is_read_with_its_typed_cells(make_enterprise, departments):
    enterprise = make_enterprise()
    book = Workbook()
    sheet = book.active
    sheet.append(["统一社会信用代码", "成立日期", "有效发明专利数", "专精特新中小企业"])
    sheet.append([enterprise.uscc, dt.datetime(2018, 7, 9), 4, "是"])
    sheet.append([enterprise.uscc, dt.datetime(2018, 7, 9), 4, "是"])
    buffer = io.BytesIO()
    book.save(buffer)
    record = services.import_portrait_file(
        buffer.getvalue(), "工信.xlsx", department=departments["KJ"]
    )
    portrait = EnterprisePortrait.objects.get(enterprise=enterprise)
    assert (portrait.established_on, portrait.patents, portrait.is_specialized) == (
        dt.date(2018, 7, 9),
        4,
        True,
    )
    assert record.rows_rejected == 1 and "重复" in record.errors[0]["zh"]


def test_unknown_enterprises_are_registered_when_the_file_names_them(departments):
    uscc = fake_uscc(77_001)
    record = services.import_portrait_file(
        csv_bytes(
            f"统一社会信用代码,企业名称,从业人数\n{uscc},郑州新材料有限公司,18\n{fake_uscc(77_002)},,5\n"
        ),
        "new.csv",
        department=departments["KJ"],
    )
    assert Enterprise.objects.get(uscc=uscc).portrait.employees == 18
    assert (record.enterprises_created, record.rows_rejected) == (1, 1)
    assert "平台没有这家企业" in record.errors[0]["zh"]


def test_an_unknown_column_is_reported_and_ignored(make_enterprise, departments):
    enterprise = make_enterprise()
    record = services.import_portrait_file(
        csv_bytes(f"统一社会信用代码,员工满意度,从业人数\n{enterprise.uscc},高,9\n"),
        "x.csv",
        department=departments["KJ"],
    )
    assert record.rows_imported == 1
    assert record.errors[0]["row"] == 1 and record.errors[0]["column"] == "员工满意度"


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("a.pdf", b"%PDF", "只支持"),
        ("a.csv", csv_bytes("从业人数\n5\n"), "统一社会信用代码"),
        ("a.csv", csv_bytes("统一社会信用代码,其他\n1,2\n"), "没有可导入的画像属性列"),
        ("a.csv", b"", "文件是空的"),
        ("a.xlsx", b"not a zip", "无法读取 Excel"),
    ],
)
def test_an_unreadable_file_is_refused_whole(departments, name, content, code):
    with pytest.raises(services.PolicyError) as caught:
        services.import_portrait_file(content, name, department=departments["KJ"])
    assert code in caught.value.zh


def test_a_gb18030_csv_is_read(make_enterprise, departments):
    enterprise = make_enterprise()
    record = services.import_portrait_file(
        f"统一社会信用代码,从业人数\n{enterprise.uscc},9\n".encode("gb18030"),
        "gbk.csv",
        department=departments["KJ"],
    )
    assert record.rows_imported == 1
