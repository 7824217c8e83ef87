"""One complete sample of each document kind (test data: invented people, agencies and numbers)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from banshi.documents.content import (
    AcceptanceNotice,
    Applicant,
    CommitmentLetter,
    Correction,
    CorrectionNotice,
    DeficiencyNotice,
    DenialDecision,
    DocumentContent,
    DocumentKind,
    ExtensionNotice,
    GrantDecision,
    MissingMaterial,
    Receipt,
    ReceivedMaterial,
    RefusalGround,
    RefusalNotice,
    SpecialProcedureNotice,
)

AGENCY = "郑州航空港经济综合实验区市场监督管理局"
PERSON = Applicant(name="张三丰", identifier="410102199003071234")
COMPANY = Applicant(
    name="郑州云帆餐饮管理有限公司", organisation=True, identifier="91410100MA9XXXXX1P"
)
ISSUED = dt.date(2026, 11, 23)
CONTACT = "综合窗口 王** 0371-12345678"
ITEMS = ("食品经营许可（新办）",)
APPLICATION = "BS-20261120-000042"


def sample(kind: DocumentKind | str, **changes) -> DocumentContent:
    """A complete document of ``kind``; ``changes`` override fields."""
    kind = DocumentKind(kind)
    common = {
        "applicant": COMPANY,
        "agency": AGENCY,
        "items": ITEMS,
        "application_number": APPLICATION,
        "issued_on": ISSUED,
        "contact": CONTACT,
    }
    if kind == DocumentKind.RECEIPT:
        doc = Receipt(
            **{
                **common,
                "applicant": PERSON,
                "items": ("营业执照（设立登记）", "食品经营许可（新办）"),
            },
            bundle="开办餐饮店一件事",
            received_at=dt.datetime(2026, 11, 20, 14, 5, tzinfo=ZoneInfo("Asia/Shanghai")),
            materials=(
                ReceivedMaterial(name="食品经营许可申请书", form="电子件", copies=1),
                ReceivedMaterial(name="经营场所平面布局图", form="电子件", copies=1),
                ReceivedMaterial(name="营业执照", form="数据共享获取"),
            ),
            progress_url="http://127.0.0.1:8000/progress/BS-20261120-000042/",
            received_by="网上办理（政务服务网）",
            intake_due=dt.date(2026, 11, 27),
        )
    elif kind == DocumentKind.ACCEPTANCE:
        doc = AcceptanceNotice(
            **common,
            received_on=dt.date(2026, 11, 20),
            accepted_on=dt.date(2026, 11, 23),
            expected_decision_on=dt.date(2026, 12, 21),
            decision_days=20,
        )
    elif kind == DocumentKind.REFUSAL:
        doc = RefusalNotice(
            **common,
            received_on=dt.date(2026, 11, 20),
            ground=RefusalGround.NOT_COMPETENT,
            reasons=("申请人经营场所位于中原区，依法应向所在地市场监督管理部门申请。",),
            redirect_agency="郑州市中原区市场监督管理局",
        )
    elif kind == DocumentKind.CORRECTION:
        doc = CorrectionNotice(
            **common,
            received_on=dt.date(2026, 11, 20),
            corrections=(
                Correction(
                    item="食品经营许可（新办）",
                    subject="经营场所平面布局图",
                    requirement="须标明加工操作区域、设备布局及面积，加盖申请单位公章",
                ),
                Correction(
                    item="食品经营许可（新办）",
                    subject="表单项：食品安全管理人员",
                    requirement="填写食品安全管理人员姓名及身份证号码",
                ),
            ),
            due_on=dt.date(2026, 12, 21),
            delivered_on=ISSUED,
            delivery="电子送达（政务服务网个人空间）",
        )
    elif kind == DocumentKind.EXTENSION:
        doc = ExtensionNotice(
            **common,
            case_number="BS-20261120-000042-01",
            reason="需对经营场所进行现场核查，二十个工作日内不能作出决定",
            original_due=dt.date(2026, 12, 21),
            new_due=dt.date(2027, 1, 5),
            extension_days=10,
            approver="本机关负责人 李**",
            approved_on=dt.date(2026, 12, 15),
        )
    elif kind == DocumentKind.SPECIAL_PROCEDURE:
        doc = SpecialProcedureNotice(
            **common,
            case_number="BS-20261120-000042-01",
            procedure="检测",
            expected_days=15,
            starts_on=dt.date(2026, 11, 25),
            reason="对生产用水进行水质检测",
        )
    elif kind == DocumentKind.GRANT:
        doc = GrantDecision(
            **common,
            case_number="BS-20261120-000042-01",
            decided_on=ISSUED,
            decision="准予你单位食品经营许可，经营项目：热食类食品制售。",
            basis="《中华人民共和国食品安全法》第三十五条",
            licence_name="食品经营许可证",
            licence_number="JY14101000000001",
            valid_until=dt.date(2031, 11, 22),
            issue_due=dt.date(2026, 12, 7),
        )
    elif kind == DocumentKind.COMMITMENT:
        doc = CommitmentLetter(
            **common,
            case_number="BS-20261120-000042-01",
            material="经营场所使用证明",
            commitment="本单位符合“经营场所使用证明”所证明的条件，所填信息真实，愿意接受核查。",
            verification="行政机关将在受理后20个工作日内对承诺内容进行核查。",
            signed_on=dt.date(2026, 11, 20),
        )
    elif kind == DocumentKind.DEFICIENCY:
        doc = DeficiencyNotice(
            **common,
            accepted_on=dt.date(2026, 11, 23),
            missing=(MissingMaterial(item="食品经营许可（新办）", material="食品安全管理制度"),),
            due_on=dt.date(2026, 12, 7),
        )
    else:
        doc = DenialDecision(
            **common,
            case_number="BS-20261120-000042-01",
            decided_on=ISSUED,
            reasons=(
                "经营场所与有毒、有害场所的距离不符合《食品经营许可审查通则》的要求。",
                "现场核查发现未设置与经营品种相适应的清洗、消毒设施。",
            ),
            basis="《中华人民共和国食品安全法》第三十三条",
        )
    if changes:
        import dataclasses

        doc = dataclasses.replace(doc, **changes)
    return doc
