"""The reference's example configuration of a 12345 centre (standards §4; values marked LOCAL).

Every value here is a district's setting, not a national rule: the data migration and
``banshi appeals seed`` write them once, and administrators change them in the admin site. Seeding is
idempotent and never overwrites a row an administrator already has (matched by code, or by type ×
urgency for time limits); ``--update`` resets the seeded fields to these values.

Written against a ``get_model(app_label, model_name)`` callable so the data migration (historical
models) and the command (current models) share it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

# Departments the default routing uses; all are in the national catalogue (00-common.yaml) and are
# created here only when missing (a fresh database before ``banshi catalog load``).
DEPARTMENTS = {
    "ZWFW": "政务服务和大数据管理局",
    "SCJG": "市场监督管理局",
    "GA": "公安局",
    "RS": "人力资源和社会保障局",
    "YB": "医疗保障局",
    "GJJ": "住房公积金管理中心",
    "WJ": "卫生健康委员会",
    "JY": "教育局",
    "ZJ": "住房和城乡建设局",
    "CG": "城市管理局",
    "JT": "交通运输局",
    "ZRZY": "自然资源和规划局",
    "STHJ": "生态环境局",
    "MZ": "民政局",
    "GS": "供水企业",
    "GD": "供电企业",
    "RQ": "燃气企业",
    "GR": "供热企业",
}

# (code, name, default department, children [(code, name, department)]) — LOCAL example tree.
CATEGORIES = [
    (
        "01",
        "政务服务",
        "ZWFW",
        [
            ("0101", "办事难、办不成事", "ZWFW"),
            ("0102", "窗口服务", "ZWFW"),
            ("0103", "网上办事", "ZWFW"),
        ],
    ),
    (
        "02",
        "市场监管",
        "SCJG",
        [
            ("0201", "食品安全", "SCJG"),
            ("0202", "消费维权", "SCJG"),
            ("0203", "价格收费", "SCJG"),
            ("0204", "企业登记", "SCJG"),
        ],
    ),
    (
        "03",
        "城市管理",
        "CG",
        [
            ("0301", "占道经营", "CG"),
            ("0302", "施工噪音", "CG"),
            ("0303", "环境卫生", "CG"),
            ("0304", "违法建设", "CG"),
        ],
    ),
    (
        "04",
        "劳动和社会保障",
        "RS",
        [
            ("0401", "拖欠工资", "RS"),
            ("0402", "社会保险", "RS"),
            ("0403", "医疗保障", "YB"),
        ],
    ),
    (
        "05",
        "住房",
        "ZJ",
        [
            ("0501", "物业管理", "ZJ"),
            ("0502", "住房公积金", "GJJ"),
            ("0503", "不动产登记", "ZRZY"),
        ],
    ),
    (
        "06",
        "水电气暖",
        None,
        [
            ("0601", "供水", "GS"),
            ("0602", "供电", "GD"),
            ("0603", "燃气", "RQ"),
            ("0604", "供暖", "GR"),
        ],
    ),
    ("07", "交通出行", "JT", [("0701", "公交出租", "JT"), ("0702", "道路设施", "JT")]),
    ("08", "生态环境", "STHJ", [("0801", "大气污染", "STHJ"), ("0802", "水污染", "STHJ")]),
    (
        "09",
        "教育卫生民政",
        None,
        [("0901", "教育", "JY"), ("0902", "医疗卫生", "WJ"), ("0903", "养老救助", "MZ")],
    ),
    ("10", "公安户政", "GA", [("1001", "户籍证件", "GA"), ("1002", "社会生活噪音", "GA")]),
    ("99", "其他", "ZWFW", []),
]


@dataclass(frozen=True)
class Level:
    appeal_type: str
    urgency: str
    acknowledge_days: int
    handle_days: int
    return_days: int
    extension_max_days: int
    basis: str
    remind_days_before: int = 1
    escalate_days_after: int = 5
    callback_days: int = 1
    reopen_days: int = 10
    max_reopens: int = 2


_SLA = "standards §4.1 SLA 表 [LOCAL 示例]"
SERVICE_LEVELS = [
    Level("consult", "normal", 1, 2, 1, 3, f"{_SLA}: 咨询不能当场答复的 2 个工作日"),
    Level("help", "normal", 1, 5, 2, 5, f"{_SLA}: 求助 5 个工作日"),
    Level("complaint", "normal", 1, 13, 2, 10, f"{_SLA}: 投诉 自受理次日起 13 个工作日"),
    Level("report", "normal", 1, 13, 2, 10, f"{_SLA}: 举报 13 个工作日"),
    Level("suggestion", "normal", 1, 13, 2, 10, f"{_SLA}: 建议 13 个工作日"),
    *[
        Level(kind, "urgent", 0, 0, 0, 1, f"{_SLA}: 紧急诉求当日办结", escalate_days_after=1)
        for kind in ("consult", "help", "complaint", "report", "suggestion")
    ],
]

# (code, text, requires_basis) — §4.1 回退: reasons are standardised (LOCAL example list).
RETURN_REASONS = [
    ("not_duty", "不属于本单位职责范围", True),
    ("not_jurisdiction", "不属于本辖区管辖", True),
    ("wrong_route", "诉求分类或派单单位有误", True),
    ("legal_channel", "已通过诉讼、仲裁、行政复议等法定途径处理", True),
    ("unclear", "诉求内容不清、地址不详，无法办理", False),
    ("duplicate", "重复工单，已在办理", False),
]

_NOT_ACCEPTED_BASIS = "依据 standards §4.5：热线不代替部门职责"
# (code, name, reason told to the caller, transfer number) — §4.5.
NOT_ACCEPTED_KINDS = [
    (
        "legal_procedure",
        "已进入或应通过诉讼、仲裁、纪检监察、行政复议、政府信息公开等法定途径解决",
        "您反映的事项已进入或应当通过诉讼、仲裁、纪检监察、行政复议、政府信息公开等法定途径解决，"
        "12345 热线不予受理，请通过相应法定途径反映。" + _NOT_ACCEPTED_BASIS,
        "",
    ),
    (
        "petition",
        "已进入信访程序",
        "您反映的事项已进入信访程序，12345 热线不重复受理，请关注信访部门的处理结果。"
        + _NOT_ACCEPTED_BASIS,
        "",
    ),
    (
        "emergency_police",
        "治安、刑事警情(转 110)",
        "您反映的是紧急警情，请立即拨打 110 报警，12345 热线不受理紧急警情。",
        "110",
    ),
    (
        "emergency_fire",
        "火灾等灾害事故(转 119)",
        "您反映的是火灾或灾害事故，请立即拨打 119，12345 热线不受理紧急救援。",
        "119",
    ),
    (
        "emergency_medical",
        "急救(转 120)",
        "您反映的是医疗急救，请立即拨打 120，12345 热线不受理急救。",
        "120",
    ),
    (
        "emergency_traffic",
        "交通事故(转 122)",
        "您反映的是交通事故，请立即拨打 122，12345 热线不受理交通事故报警。",
        "122",
    ),
    (
        "secrets",
        "涉及国家秘密、商业秘密、个人隐私",
        "您反映的事项涉及国家秘密、商业秘密或个人隐私，12345 热线不予受理。" + _NOT_ACCEPTED_BASIS,
        "",
    ),
]

# (question, answer, keywords, category code) — the starting FAQ; maintained in the admin.
KNOWLEDGE = [
    (
        "12345 热线受理哪些诉求？",
        "12345 政务服务便民热线 7×24 小时受理企业和群众的咨询、求助、投诉、举报和建议。"
        "紧急警情请拨打 110，火警 119，急救 120，交通事故 122；已进入诉讼、仲裁、行政复议、信访等"
        "法定途径的事项不予受理。",
        "受理范围 热线 12345 受理",
        "99",
    ),
    (
        "怎样查询我反映的诉求办理进度？",
        "在本平台“12345 诉求 → 查询进度”中输入工单编号和反映诉求时留下的手机号码即可查询办理进度和"
        "答复内容；也可拨打 12345 查询。",
        "查询 进度 工单 编号",
        "99",
    ),
    (
        "政务服务大厅的办公时间是什么？",
        "政务服务大厅工作日上午 9:00—12:00、下午 13:00—17:00 办公，法定节假日按国务院放假安排执行。"
        "具体以各窗口公示为准；多数事项可在网上办理，不受办公时间限制。",
        "办公时间 大厅 上班 几点",
        "0102",
    ),
    (
        "办事遇到“办不成”怎么办？",
        "可到政务服务大厅“办不成事”反映窗口或拨打 12345 反映，写明想办的事项和卡在哪一环节；"
        "中心登记后转有关部门限时办理并回访。",
        "办不成 办不成事 反映窗口 卡住",
        "0101",
    ),
    (
        "营业执照丢了怎么补领？",
        "营业执照遗失可向登记机关申请补领，可在网上办理。具体材料和流程请查看本平台“企业设立登记”"
        "等事项的办事指南，或到市场监督管理局窗口咨询。",
        "营业执照 补领 遗失 补办",
        "0204",
    ),
    (
        "怎样提取住房公积金？",
        "购房、租房、退休等情形可申请提取住房公积金，材料和条件以住房公积金管理中心的办事指南为准，"
        "多数情形可网上办理。",
        "公积金 提取 取公积金",
        "0502",
    ),
]


def apply(
    get_model: Callable[[str, str], type],
    *,
    update: bool = False,
    create_departments: bool = True,
) -> dict[str, int]:
    """Write the example configuration; returns how many rows were created per kind.

    The data migration passes ``create_departments=False``: departments belong to the catalogue
    (loaded after migrating), so categories there link only departments that already exist, and
    ``banshi setup`` / ``banshi appeals seed`` link the rest once the catalogue is loaded."""
    department_model = get_model("catalog", "Department")
    category_model = get_model("appeals", "Category")
    level_model = get_model("appeals", "ServiceLevel")
    reason_model = get_model("appeals", "ReturnReason")
    kind_model = get_model("appeals", "NotAcceptedKind")
    knowledge_model = get_model("appeals", "KnowledgeEntry")
    created = dict.fromkeys(("categories", "levels", "reasons", "kinds", "knowledge"), 0)

    departments = {}
    for code, name in DEPARTMENTS.items():
        if create_departments:
            departments[code], _ = department_model.objects.get_or_create(
                code=code, defaults={"name": name}
            )
        else:
            found = department_model.objects.filter(code=code).first()
            if found is not None:
                departments[code] = found

    def upsert(model, key: dict, values: dict, counter: str):
        row, made = model.objects.get_or_create(**key, defaults=values)
        if made:
            created[counter] += 1
        elif update:
            for field, value in values.items():
                setattr(row, field, value)
            row.save()
        elif values.get("default_department") and getattr(row, "default_department_id", 0) is None:
            row.default_department = values["default_department"]  # linked once it exists
            row.save()
        return row

    position = 0
    for code, name, department, children in CATEGORIES:
        position += 1
        parent = upsert(
            category_model,
            {"code": code},
            {
                "name": name,
                "default_department": departments.get(department) if department else None,
                "position": position,
                "parent": None,
            },
            "categories",
        )
        for child_code, child_name, child_department in children:
            position += 1
            upsert(
                category_model,
                {"code": child_code},
                {
                    "name": child_name,
                    "parent": parent,
                    "default_department": departments.get(child_department),
                    "position": position,
                },
                "categories",
            )

    for level in SERVICE_LEVELS:
        values = {
            field: getattr(level, field)
            for field in (
                "acknowledge_days",
                "handle_days",
                "return_days",
                "extension_max_days",
                "remind_days_before",
                "escalate_days_after",
                "callback_days",
                "reopen_days",
                "max_reopens",
                "basis",
            )
        }
        upsert(
            level_model,
            {"appeal_type": level.appeal_type, "urgency": level.urgency},
            values,
            "levels",
        )

    for index, (code, text, requires_basis) in enumerate(RETURN_REASONS, start=1):
        upsert(
            reason_model,
            {"code": code},
            {"text": text, "requires_basis": requires_basis, "position": index},
            "reasons",
        )

    for index, (code, name, reason, transfer_to) in enumerate(NOT_ACCEPTED_KINDS, start=1):
        upsert(
            kind_model,
            {"code": code},
            {"name": name, "reason": reason, "transfer_to": transfer_to, "position": index},
            "kinds",
        )

    for question, answer, keywords, category_code in KNOWLEDGE:
        category = category_model.objects.filter(code=category_code).first()
        upsert(
            knowledge_model,
            {"question": question},
            {"answer": answer, "keywords": keywords, "category": category},
            "knowledge",
        )
    return created
