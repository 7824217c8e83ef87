"""What each legal document must say (pure: no Django import).

One frozen dataclass per kind of document the Administrative Licensing Law (行政许可法) makes the
agency issue in writing (reference/standards.md §1.3), holding exactly what the law asks for, and one
validation function per kind that refuses a document missing it:

=========================  ==========================  ==============================================
kind                       class                       the law asks for
=========================  ==========================  ==============================================
收件凭证 / 办理回执        :class:`Receipt`            receipt time, the materials received (§1.3)
受理通知书                 :class:`AcceptanceNotice`   acceptance date, expected decision date, staff
                                                       contact; seal + date (第32条)
不予受理通知书             :class:`RefusalNotice`      reasons; the competent agency when not ours
                                                       (第32条(二)); 复议/诉讼 rights
补正材料通知书 (一次性告知) :class:`CorrectionNotice`   **every** item to correct and the form it must
                                                       take, deadline, delivery (第32条(四))
延期通知书                 :class:`ExtensionNotice`    the reasons, the new deadline, the approver
                                                       (第42条)
特别程序时间告知书         :class:`SpecialProcedureNotice`  which procedure, the time it needs (第45条)
准予行政许可决定书         :class:`GrantDecision`      the decision, its date (第38条, 第44条)
不予行政许可决定书         :class:`DenialDecision`     the reasons + the right to 行政复议 / 行政诉讼
                                                       (第38条)
=========================  ==========================  ==============================================

Every class is keyword-only. ``number`` and ``issued_on`` may be left empty: the issuing service
(:func:`banshi.documents.services.issue_document`) assigns the number from a sequence and the date
from the platform clock before it validates. :func:`validate` raises :class:`DocumentIncomplete`
listing every problem at once; nothing is rendered or stored for an incomplete document.

The module also holds what the rest of the app shares without Django: Chinese date formatting
(:func:`chinese_date`), name masking for public pages (:func:`mask_subject`, PIPL, standards §7.3) and
the canonical form and digest of a document's content (:func:`to_data`, :func:`content_digest`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar

__all__ = [
    "COMPOUND_SURNAMES",
    "REFUSAL_REMEDY",
    "REMEDY_NOTICE",
    "SPECIAL_PROCEDURES",
    "AcceptanceNotice",
    "Applicant",
    "Correction",
    "CorrectionNotice",
    "DenialDecision",
    "DocumentContent",
    "DocumentIncomplete",
    "DocumentKind",
    "ExtensionNotice",
    "GrantDecision",
    "Receipt",
    "ReceivedMaterial",
    "RefusalGround",
    "RefusalNotice",
    "SpecialProcedureNotice",
    "chinese_date",
    "chinese_datetime",
    "content_class",
    "content_digest",
    "from_data",
    "mask_identifier",
    "mask_name",
    "mask_subject",
    "problems",
    "to_data",
    "validate",
]

# 第38条: a refusal must tell the applicant of the right to administrative reconsideration and
# litigation. Time limits: 行政复议法 (2023) 第20条 sixty days; 行政诉讼法 第46条 six months.
REMEDY_NOTICE = (
    "如不服本决定，可自收到本决定书之日起六十日内申请行政复议，或者六个月内依法提起行政诉讼。"
)
# The same wording for the 不予受理通知书 (a decision delivered as a notice, 第32条).
REFUSAL_REMEDY = REMEDY_NOTICE.replace("本决定书", "本通知书")

# 第45条: the procedures whose time is not counted in the time limit.
SPECIAL_PROCEDURES = ("听证", "招标", "拍卖", "检验", "检测", "检疫", "鉴定", "专家评审")

# Two-character surnames kept whole when a name is masked (欧阳娜娜 -> 欧阳*), written as pairs.
_COMPOUND_SURNAME_PAIRS = (
    "欧阳司马上官诸葛东方皇甫尉迟公孙慕容令狐长孙宇文夏侯轩辕端木独孤南宫西门司徒司空"
    "澹台公冶太叔申屠闻人呼延万俟钟离宗政濮阳淳于单于赫连拓跋百里东郭左丘第五羊舌微生"
    "梁丘谷梁乐正段干漆雕壤驷公良巫马仲孙叔孙颛孙亓官鲜于闾丘"
)
COMPOUND_SURNAMES = frozenset(
    _COMPOUND_SURNAME_PAIRS[i : i + 2] for i in range(0, len(_COMPOUND_SURNAME_PAIRS), 2)
)


class DocumentKind(StrEnum):
    """文书种类. The value is stored; :attr:`label` is the document's title."""

    RECEIPT = "receipt"
    ACCEPTANCE = "acceptance"
    REFUSAL = "refusal"
    CORRECTION = "correction"
    EXTENSION = "extension"
    SPECIAL_PROCEDURE = "special_procedure"
    GRANT = "grant"
    DENIAL = "denial"
    COMMITMENT = "commitment"
    DEFICIENCY = "deficiency"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]

    @property
    def number_prefix(self) -> str:
        """Prefix of the document number (``SL-20261123-000001``)."""
        return NUMBER_PREFIXES[self]


KIND_LABELS = {
    DocumentKind.RECEIPT: "收件凭证",
    DocumentKind.ACCEPTANCE: "受理通知书",
    DocumentKind.REFUSAL: "不予受理通知书",
    DocumentKind.CORRECTION: "补正材料通知书",
    DocumentKind.EXTENSION: "延期通知书",
    DocumentKind.SPECIAL_PROCEDURE: "特别程序时间告知书",
    DocumentKind.GRANT: "准予行政许可决定书",
    DocumentKind.DENIAL: "不予行政许可决定书",
    DocumentKind.COMMITMENT: "告知承诺书",
    DocumentKind.DEFICIENCY: "容缺受理通知书",
}
NUMBER_PREFIXES = {
    DocumentKind.RECEIPT: "SJ",
    DocumentKind.ACCEPTANCE: "SL",
    DocumentKind.REFUSAL: "BSL",
    DocumentKind.CORRECTION: "BZ",
    DocumentKind.EXTENSION: "YQ",
    DocumentKind.SPECIAL_PROCEDURE: "TB",
    DocumentKind.GRANT: "ZY",
    DocumentKind.DENIAL: "BY",
    DocumentKind.COMMITMENT: "CN",
    DocumentKind.DEFICIENCY: "RQ",
}


class RefusalGround(StrEnum):
    """Why an application is not accepted (第32条)."""

    NOT_REQUIRED = "not_required"  # (一) 依法不需要取得行政许可
    NOT_COMPETENT = "not_competent"  # (二) 不属于本行政机关职权范围
    NOT_ELIGIBLE = "not_eligible"  # 其他不符合受理条件的情形

    @property
    def label(self) -> str:
        return {
            RefusalGround.NOT_REQUIRED: "申请事项依法不需要取得行政许可",
            RefusalGround.NOT_COMPETENT: "申请事项依法不属于本行政机关职权范围",
            RefusalGround.NOT_ELIGIBLE: "申请不符合受理条件",
        }[self]


class DocumentIncomplete(ValueError):
    """The document lacks what the law requires; ``problems`` lists every missing part (Chinese)."""

    def __init__(self, kind: DocumentKind, problems: list[str]):
        self.kind = kind
        self.problems = problems
        super().__init__(
            f"{kind.label}内容不完整："
            + "；".join(problems)
            + f" / the {kind.value} document is incomplete"
        )


# --------------------------------------------------------------------------------------------
# Parts
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Applicant:
    """申请人. ``organisation`` marks a legal person or other organisation: its registered name is
    public and shown in full on public pages; a natural person's name is masked there (张*).
    ``identifier`` (ID number or 统一社会信用代码) is optional; a person's is printed masked."""

    name: str
    organisation: bool = False
    identifier: str = ""


@dataclass(frozen=True, kw_only=True)
class ReceivedMaterial:
    """One material received: its name, the form it came in (电子件, 原件, 复印件, 数据共享获取 …) and
    the number of copies or pages when known."""

    name: str
    form: str = "电子件"
    copies: int | None = None


@dataclass(frozen=True, kw_only=True)
class Correction:
    """One thing to correct (一次性告知): in which item, which material or form field, and what exactly
    to do or the form it must take."""

    item: str
    subject: str
    requirement: str


# --------------------------------------------------------------------------------------------
# The documents
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class DocumentContent:
    """What every document carries: its number, the applicant, the issuing agency (printed as the
    heading and in the electronic seal), the items concerned, the application number and the date of
    issue. ``contact`` is the staff contact (name and telephone)."""

    kind: ClassVar[DocumentKind]

    number: str = ""
    applicant: Applicant
    agency: str
    items: tuple[str, ...] = ()
    application_number: str = ""
    issued_on: dt.date | None = None
    contact: str = ""

    @property
    def title(self) -> str:
        return self.kind.label

    @property
    def matter(self) -> str:
        """The items concerned as one line (事项名称)."""
        return "、".join(self.items)


@dataclass(frozen=True, kw_only=True)
class Receipt(DocumentContent):
    """收件凭证 / 办理回执: what was received and when; its QR code opens the progress page."""

    kind: ClassVar[DocumentKind] = DocumentKind.RECEIPT

    bundle: str = ""  # 一件事名称, when the application is a bundle
    received_at: dt.datetime | None = None
    materials: tuple[ReceivedMaterial, ...] = ()
    progress_url: str = ""
    received_by: str = ""  # 收件人 or 收件渠道 (网上办理, 综合窗口 3 号 …)
    intake_due: dt.date | None = None  # 第32条(四): acceptance or a correction notice by this day

    @property
    def matter(self) -> str:
        return self.bundle or super().matter


@dataclass(frozen=True, kw_only=True)
class AcceptanceNotice(DocumentContent):
    """受理通知书 (第32条(五)): acceptance date, expected decision date, staff contact.

    ``deemed`` marks an acceptance by operation of law: no correction notice within five working
    days, so the application counts as accepted on the day it was received (第32条(四))."""

    kind: ClassVar[DocumentKind] = DocumentKind.ACCEPTANCE

    received_on: dt.date | None = None
    accepted_on: dt.date | None = None
    expected_decision_on: dt.date | None = None
    decision_days: int | None = None  # 办理时限 in working days, printed when given
    deemed: bool = False


@dataclass(frozen=True, kw_only=True)
class RefusalNotice(DocumentContent):
    """不予受理通知书 (第32条(一)(二)): reasons, the competent agency when not ours, the remedy."""

    kind: ClassVar[DocumentKind] = DocumentKind.REFUSAL

    received_on: dt.date | None = None
    ground: RefusalGround = RefusalGround.NOT_ELIGIBLE
    reasons: tuple[str, ...] = ()
    redirect_agency: str = ""
    remedy: str = REFUSAL_REMEDY


@dataclass(frozen=True, kw_only=True)
class CorrectionNotice(DocumentContent):
    """补正材料通知书 / 一次性告知书 (第32条(四)): every correction in one notice, the deadline, and
    when and how it was delivered."""

    kind: ClassVar[DocumentKind] = DocumentKind.CORRECTION

    received_on: dt.date | None = None
    corrections: tuple[Correction, ...] = ()
    due_on: dt.date | None = None
    delivered_on: dt.date | None = None
    delivery: str = "电子送达"


@dataclass(frozen=True, kw_only=True)
class ExtensionNotice(DocumentContent):
    """延期通知书 (第42条): why, the original and the new deadline, who approved it."""

    kind: ClassVar[DocumentKind] = DocumentKind.EXTENSION

    case_number: str = ""
    reason: str = ""
    original_due: dt.date | None = None
    new_due: dt.date | None = None
    extension_days: int | None = None
    approver: str = ""  # e.g. "本机关负责人 王**" (联合办理: 本级人民政府负责人)
    approved_on: dt.date | None = None


@dataclass(frozen=True, kw_only=True)
class SpecialProcedureNotice(DocumentContent):
    """特别程序时间告知书 (第45条): which procedure and the time it needs, not counted in the limit."""

    kind: ClassVar[DocumentKind] = DocumentKind.SPECIAL_PROCEDURE

    case_number: str = ""
    procedure: str = ""  # one of SPECIAL_PROCEDURES
    expected_days: int | None = None  # working days
    starts_on: dt.date | None = None
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class GrantDecision(DocumentContent):
    """准予行政许可决定书 (第38条): the decision and its date; the licence issued within ten working
    days (第44条) and the decision made public (第40条)."""

    kind: ClassVar[DocumentKind] = DocumentKind.GRANT

    case_number: str = ""
    decided_on: dt.date | None = None
    decision: str = ""  # e.g. "准予你单位食品经营许可。"
    basis: str = ""  # legal basis, e.g. "《中华人民共和国食品安全法》第三十五条"
    licence_name: str = ""
    licence_number: str = ""
    valid_until: dt.date | None = None
    issue_due: dt.date | None = None


@dataclass(frozen=True, kw_only=True)
class DenialDecision(DocumentContent):
    """不予行政许可决定书 (第38条): the reasons and the right to 行政复议 or 行政诉讼."""

    kind: ClassVar[DocumentKind] = DocumentKind.DENIAL

    case_number: str = ""
    decided_on: dt.date | None = None
    reasons: tuple[str, ...] = ()
    basis: str = ""
    remedy: str = REMEDY_NOTICE


@dataclass(frozen=True, kw_only=True)
class CommitmentLetter(DocumentContent):
    """告知承诺书 (国办发〔2020〕42号): what the commitment replaces, the obligations the applicant
    accepts (conditions met, information true, verification accepted, liability for a false
    commitment) and the agency's verification power, signed (electronically) on ``signed_on``."""

    kind: ClassVar[DocumentKind] = DocumentKind.COMMITMENT

    case_number: str = ""
    material: str = ""
    commitment: str = ""
    verification: str = ""
    signed_on: dt.date | None = None


@dataclass(frozen=True, kw_only=True)
class MissingMaterial:
    """One material accepted as missing (容缺): its name and the form in which to supply it."""

    item: str
    material: str
    form: str = "电子件"


@dataclass(frozen=True, kw_only=True)
class DeficiencyNotice(DocumentContent):
    """容缺受理通知书 (一次性告知, 国办发〔2019〕35号): every missing material in one notice, the
    supplement deadline (never beyond the promised time limit) and the consequence if it is late."""

    kind: ClassVar[DocumentKind] = DocumentKind.DEFICIENCY

    accepted_on: dt.date | None = None
    missing: tuple[MissingMaterial, ...] = ()
    due_on: dt.date | None = None
    consequence: str = "逾期未补正或者补正材料不符合要求的，终止办理，并记入信用记录。"


CONTENT_CLASSES: dict[DocumentKind, type[DocumentContent]] = {
    cls.kind: cls
    for cls in (
        Receipt,
        AcceptanceNotice,
        RefusalNotice,
        CorrectionNotice,
        ExtensionNotice,
        SpecialProcedureNotice,
        GrantDecision,
        DenialDecision,
        CommitmentLetter,
        DeficiencyNotice,
    )
}


def content_class(kind: DocumentKind | str) -> type[DocumentContent]:
    return CONTENT_CLASSES[DocumentKind(kind)]


# --------------------------------------------------------------------------------------------
# Validation: one function per kind
# --------------------------------------------------------------------------------------------


def _blank(value: str | None) -> bool:
    return not (value or "").strip()


def _common(doc: DocumentContent) -> list[str]:
    found = []
    if _blank(doc.number):
        found.append("缺少文书编号")
    if _blank(doc.agency):
        found.append("缺少作出文书的行政机关")
    if _blank(doc.applicant.name):
        found.append("缺少申请人")
    if not doc.items or any(_blank(item) for item in doc.items):
        found.append("缺少申请事项")
    if doc.issued_on is None:
        found.append("缺少文书日期 (第32条: 加盖专用印章并注明日期)")
    return found


_REMEDY_TIME = (re.compile(r"(六十|60)\s*日"), re.compile(r"(六个月|6\s*个月)"))


def _remedy_problems(remedy: str) -> list[str]:
    """第38条: the remedy notice names both rights with their time limits."""
    text = remedy or ""
    if _blank(text):
        return ["缺少救济途径告知 (第38条: 申请行政复议或者提起行政诉讼的权利)"]
    found = []
    if "行政复议" not in text or not _REMEDY_TIME[0].search(text):
        found.append("救济途径告知须写明申请行政复议的权利及期限 (六十日)")
    if "行政诉讼" not in text or not _REMEDY_TIME[1].search(text):
        found.append("救济途径告知须写明提起行政诉讼的权利及期限 (六个月)")
    return found


def _reasons_problems(reasons: tuple[str, ...], article: str) -> list[str]:
    if not reasons or any(_blank(reason) for reason in reasons):
        return [f"缺少理由 ({article})"]
    return []


def receipt_problems(doc: Receipt) -> list[str]:
    found = _common(doc)
    if doc.received_at is None:
        found.append("缺少收件时间")
    if not doc.materials or any(_blank(m.name) for m in doc.materials):
        found.append("缺少收到的材料清单")
    if _blank(doc.progress_url):
        found.append("缺少办理进度查询地址")
    return found


def acceptance_problems(doc: AcceptanceNotice) -> list[str]:
    found = _common(doc)
    if doc.accepted_on is None:
        found.append("缺少受理日期 (第32条)")
    if doc.expected_decision_on is None:
        found.append("缺少预计作出决定的日期 (第32条、第42条)")
    elif doc.accepted_on is not None and doc.expected_decision_on < doc.accepted_on:
        found.append("预计作出决定的日期早于受理日期")
    if _blank(doc.contact):
        found.append("缺少经办人员联系方式")
    return found


def refusal_problems(doc: RefusalNotice) -> list[str]:
    found = _common(doc)
    found += _reasons_problems(doc.reasons, "第32条: 不予受理应当说明理由")
    if doc.ground == RefusalGround.NOT_COMPETENT and _blank(doc.redirect_agency):
        found.append("不属于本机关职权范围的，须告知申请人向有关行政机关申请 (第32条(二))")
    found += _remedy_problems(doc.remedy)
    return found


def correction_problems(doc: CorrectionNotice) -> list[str]:
    found = _common(doc)
    if not doc.corrections:
        found.append("缺少需要补正的内容 (第32条(四): 一次告知需要补正的全部内容)")
    for position, item in enumerate(doc.corrections, start=1):
        if _blank(item.item) or _blank(item.subject) or _blank(item.requirement):
            found.append(f"第{position}项补正内容须写明事项、材料或表单项及补正要求")
    if doc.received_on is None:
        found.append("缺少收到申请材料的日期")
    if doc.due_on is None:
        found.append("缺少补正期限")
    elif doc.issued_on is not None and doc.due_on < doc.issued_on:
        found.append("补正期限早于通知日期")
    if doc.delivered_on is None:
        found.append("缺少送达日期")
    if _blank(doc.delivery):
        found.append("缺少送达方式")
    return found


def extension_problems(doc: ExtensionNotice) -> list[str]:
    found = _common(doc)
    if _blank(doc.reason):
        found.append("缺少延期理由 (第42条: 应当将延长期限的理由告知申请人)")
    if doc.original_due is None:
        found.append("缺少原办理期限")
    if doc.new_due is None:
        found.append("缺少延长后的办理期限")
    elif doc.original_due is not None and doc.new_due <= doc.original_due:
        found.append("延长后的办理期限须晚于原期限")
    if _blank(doc.approver):
        found.append("缺少批准人 (第42条: 经本行政机关负责人批准)")
    return found


def special_procedure_problems(doc: SpecialProcedureNotice) -> list[str]:
    found = _common(doc)
    if doc.procedure not in SPECIAL_PROCEDURES:
        found.append("特别程序须为" + "、".join(SPECIAL_PROCEDURES) + "之一 (第45条)")
    if not doc.expected_days or doc.expected_days <= 0:
        found.append("缺少所需时间 (第45条: 应当将所需时间书面告知申请人)")
    if doc.starts_on is None:
        found.append("缺少特别程序开始日期")
    return found


def grant_problems(doc: GrantDecision) -> list[str]:
    found = _common(doc)
    if doc.decided_on is None:
        found.append("缺少决定日期 (第38条)")
    if _blank(doc.decision):
        found.append("缺少决定内容 (第38条)")
    return found


def denial_problems(doc: DenialDecision) -> list[str]:
    found = _common(doc)
    if doc.decided_on is None:
        found.append("缺少决定日期 (第38条)")
    found += _reasons_problems(doc.reasons, "第38条: 不予行政许可应当说明理由")
    found += _remedy_problems(doc.remedy)
    return found


def commitment_problems(doc: CommitmentLetter) -> list[str]:
    found = _common(doc)
    if _blank(doc.material) or _blank(doc.commitment):
        found.append("缺少承诺内容 (告知承诺书须写明证明事项及承诺内容)")
    if doc.signed_on is None:
        found.append("缺少承诺日期")
    return found


def deficiency_problems(doc: DeficiencyNotice) -> list[str]:
    found = _common(doc)
    if not doc.missing or any(_blank(m.material) for m in doc.missing):
        found.append("缺少容缺材料清单 (一次性告知)")
    if doc.due_on is None:
        found.append("缺少补正期限")
    if _blank(doc.consequence):
        found.append("缺少逾期后果告知")
    return found


VALIDATORS: dict[DocumentKind, Callable[[Any], list[str]]] = {
    DocumentKind.RECEIPT: receipt_problems,
    DocumentKind.ACCEPTANCE: acceptance_problems,
    DocumentKind.REFUSAL: refusal_problems,
    DocumentKind.CORRECTION: correction_problems,
    DocumentKind.EXTENSION: extension_problems,
    DocumentKind.SPECIAL_PROCEDURE: special_procedure_problems,
    DocumentKind.GRANT: grant_problems,
    DocumentKind.DENIAL: denial_problems,
    DocumentKind.COMMITMENT: commitment_problems,
    DocumentKind.DEFICIENCY: deficiency_problems,
}


def problems(doc: DocumentContent) -> list[str]:
    """Everything the law requires that ``doc`` lacks (empty = complete)."""
    return VALIDATORS[doc.kind](doc)


def validate(doc: DocumentContent) -> None:
    """Raise :class:`DocumentIncomplete` listing every missing part; return when complete."""
    found = problems(doc)
    if found:
        raise DocumentIncomplete(doc.kind, found)


# --------------------------------------------------------------------------------------------
# Text helpers
# --------------------------------------------------------------------------------------------


def chinese_date(value: dt.date | None) -> str:
    """``2026年11月23日`` (Arabic numerals, as GB/T 9704 writes dates in official documents)."""
    if value is None:
        return ""
    return f"{value.year}年{value.month}月{value.day}日"


def chinese_datetime(value: dt.datetime | None) -> str:
    """``2026年11月23日14时05分`` (the caller passes local time)."""
    if value is None:
        return ""
    return f"{chinese_date(value.date())}{value.hour}时{value.minute:02d}分"


def mask_name(name: str) -> str:
    """A natural person's name on a public page: the surname and one ``*`` (张三 -> 张*, 欧阳娜娜
    -> 欧阳*). One star whatever the length, so the mask does not tell how long the name is."""
    text = (name or "").strip()
    if not text:
        return ""
    surname = text[:2] if len(text) > 2 and text[:2] in COMPOUND_SURNAMES else text[:1]
    return surname + "*"


def mask_subject(applicant: Applicant) -> str:
    """The subject label shown on public pages (PIPL, standards §7.3): an organisation's registered
    name in full, a person's name masked."""
    return applicant.name.strip() if applicant.organisation else mask_name(applicant.name)


def mask_identifier(applicant: Applicant) -> str:
    """A person's 18-character ID number as ``410102********1234``; an organisation's code in full."""
    value = applicant.identifier.strip()
    if applicant.organisation or len(value) < 10:
        return value
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


# --------------------------------------------------------------------------------------------
# Canonical form and digest
# --------------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


def to_data(doc: DocumentContent) -> dict[str, Any]:
    """The document as JSON-ready data (dates as ISO text), with its ``kind``."""
    data = {f.name: _plain(getattr(doc, f.name)) for f in dataclasses.fields(doc)}
    data["applicant"] = _plain(dataclasses.asdict(doc.applicant))
    for name in ("materials", "corrections", "missing"):
        if name in data:
            data[name] = [_plain(dataclasses.asdict(part)) for part in getattr(doc, name)]
    return {"kind": doc.kind.value, **data}


_PART_TYPES = {
    "materials": ReceivedMaterial,
    "corrections": Correction,
    "missing": MissingMaterial,
}


def from_data(data: dict[str, Any]) -> DocumentContent:
    """The inverse of :func:`to_data`."""
    cls = content_class(data["kind"])
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name not in data:
            continue
        raw = data[f.name]
        kind_of = str(f.type)
        if f.name == "applicant":
            value: Any = Applicant(**raw)
        elif f.name in _PART_TYPES:
            value = tuple(_PART_TYPES[f.name](**part) for part in raw)
        elif raw is None:
            value = None
        elif "dt.datetime" in kind_of:
            value = dt.datetime.fromisoformat(raw)
        elif "dt.date" in kind_of:
            value = dt.date.fromisoformat(raw)
        elif "RefusalGround" in kind_of:
            value = RefusalGround(raw)
        elif "tuple" in kind_of:
            value = tuple(raw)
        else:
            value = raw
        values[f.name] = value
    return cls(**values)


def digest_algorithm() -> str:
    """``sm3`` (GB/T 32905) when this Python's OpenSSL offers it, else ``sha256``."""
    return "sm3" if "sm3" in hashlib.algorithms_available else "sha256"


def content_digest(doc: DocumentContent, algorithm: str | None = None) -> tuple[str, str]:
    """``(algorithm, hex digest)`` of the canonical JSON of the content.

    Printed on the document beside the electronic seal: the PDF cannot carry the digest of its own
    bytes, so the paper shows the content digest and the platform keeps both (the PDF's SHA-256 is
    what an uploaded copy is compared with)."""
    algorithm = algorithm or digest_algorithm()
    text = json.dumps(to_data(doc), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return algorithm, hashlib.new(algorithm, text.encode("utf-8")).hexdigest()


def with_defaults(doc: DocumentContent, **values: Any) -> DocumentContent:
    """A copy of ``doc`` with the given fields filled where they are empty."""
    missing = {name: value for name, value in values.items() if not getattr(doc, name)}
    return dataclasses.replace(doc, **missing) if missing else doc
