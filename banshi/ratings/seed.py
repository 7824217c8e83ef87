"""The national indicator sets (standards §3.12) and example windows (LOCAL), as data.

Indicator content is nationally uniform and versioned: a change is a new set version, never an edit
of the one ratings were given on. Windows are a district's own; the examples match the demo clerk
(window A01). Idempotent; written by the data migration and ``banshi ratings seed``.
"""

from __future__ import annotations

from collections.abc import Callable

INDICATOR_SETS = [
    (
        "online-v1",
        "网上政务服务评价指标",
        "online",
        [
            ("overall", "整体满意度"),
            ("efficiency", "办事效率"),
            ("guide_accuracy", "办事指南精确度"),
            ("convenience", "办事便捷度"),
            ("usability", "平台操作性"),
        ],
    ),
    (
        "onsite-v1",
        "现场政务服务评价指标",
        "onsite",
        [
            ("overall", "整体满意度"),
            ("efficiency", "服务效率"),
            ("competence", "服务水平"),
            ("attitude", "服务态度"),
        ],
    ),
]
BASIS = "standards §3.12 (国办发〔2019〕51号; GB/T 39734-2020 Annex A)"

DEPARTMENTS = {"ZWFW": "政务服务和大数据管理局", "SCJG": "市场监督管理局", "GA": "公安局"}
WINDOWS = [
    ("A01", "综合受理窗口 1", "ZWFW", "政务服务大厅一楼 A 区"),
    ("A02", "综合受理窗口 2", "ZWFW", "政务服务大厅一楼 A 区"),
    ("B01", "市场监管专窗", "SCJG", "政务服务大厅二楼 B 区"),
    ("C01", "公安户政专窗", "GA", "政务服务大厅二楼 C 区"),
    ("Z01", "办不成事反映窗口", "ZWFW", "政务服务大厅一楼服务台"),
]


def apply(
    get_model: Callable[[str, str], type], *, create_departments: bool = True
) -> dict[str, int]:
    """Write the indicator sets and example windows. The data migration passes
    ``create_departments=False``: departments belong to the catalogue (loaded after migrating), so
    a window whose department does not exist yet is created later by ``banshi setup``."""
    indicator_set = get_model("ratings", "IndicatorSet")
    indicator = get_model("ratings", "Indicator")
    window = get_model("ratings", "Window")
    department = get_model("catalog", "Department")
    created = {"indicator_sets": 0, "windows": 0}
    for code, name, mode, items in INDICATOR_SETS:
        row, made = indicator_set.objects.get_or_create(
            code=code, defaults={"name": name, "service_mode": mode, "version": 1, "basis": BASIS}
        )
        created["indicator_sets"] += made
        if made:
            for position, (item_code, item_name) in enumerate(items, start=1):
                indicator.objects.create(
                    indicator_set=row, code=item_code, name=item_name, position=position
                )
    for code, name, dept, location in WINDOWS:
        if create_departments:
            dept_row, _ = department.objects.get_or_create(
                code=dept, defaults={"name": DEPARTMENTS[dept]}
            )
        else:
            dept_row = department.objects.filter(code=dept).first()
            if dept_row is None:
                continue
        _, made = window.objects.get_or_create(
            code=code, defaults={"name": name, "department": dept_row, "location": location}
        )
        created["windows"] += made
    return created
