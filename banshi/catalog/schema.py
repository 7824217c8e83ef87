"""The catalogue as plain data (pure: no Django import).

These frozen dataclasses are what a catalogue YAML file means once parsed (DESIGN §4 contract), and
what the compiler, the reduction report, the checker and the database loader all work on. The
database models mirror them; ``selectors.catalogue_from_db()`` rebuilds a :class:`Catalogue` from the
database so every consumer runs the same pure code on the same shapes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ITEM_KINDS = (
    "行政许可",
    "行政处罚",
    "行政强制",
    "行政征收",
    "行政给付",
    "行政检查",
    "行政确认",
    "行政奖励",
    "行政裁决",
    "其他行政权力",
    "公共服务",
)
FIELD_TYPES = (
    "text",
    "number",
    "date",
    "bool",
    "id_number",
    "uscc",
    "phone",
    "email",
    "address",
    "enum",
)


@dataclass(frozen=True)
class Department:
    """实施部门 (a department or agency that handles items)."""

    code: str
    name: str
    short_name: str | None = None
    line: int | None = None  # where it was declared in its YAML file (for messages)
    source: str | None = None


@dataclass(frozen=True)
class DataElement:
    """数据元 / 表单要素: one form field shared across forms; ``prefill`` names its data source."""

    code: str
    label: str
    type: str = "text"
    prefill: str | None = None
    options: tuple[str, ...] = ()
    help: str | None = None
    line: int | None = None
    source: str | None = None


@dataclass(frozen=True)
class LicenceType:
    """电子证照类型: the kind of licence an item issues or a material can be fetched from."""

    code: str
    name: str
    department: str | None = None
    valid_years: int | None = None
    line: int | None = None
    source: str | None = None


@dataclass(frozen=True)
class Material:
    """申请材料 (a material type). With ``licence_type`` it is fetched from the licence library
    (免证); with ``data_share`` it is verified through data sharing (免提交)."""

    code: str
    name: str
    licence_type: str | None = None
    data_share: str | None = None
    description: str | None = None
    line: int | None = None
    source: str | None = None


@dataclass(frozen=True)
class MaterialRequirement:
    """An item's need for a material (the item ↔ material link table of DESIGN §10)."""

    material: str
    when: str | None = None
    deficiency_allowed: bool = False  # 容缺: may be supplied later
    commitment_allowed: bool = False  # 告知承诺: a signed commitment may replace it
    copies: str | None = None  # e.g. "原件1份", free text from the guide
    note: str | None = None


@dataclass(frozen=True)
class ServiceItem:
    """政务服务事项 (one version's content): every element a 办事指南 shows (reference §5.2)."""

    code: str
    name: str
    kind: str
    department: str
    legal_days: int | None = None  # 法定办结时限, working days
    promised_days: int | None = None  # 承诺办结时限, working days; 0 = 即办件
    visits: int = 0  # 到办事现场次数 before any bundle
    steps: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    materials: tuple[MaterialRequirement, ...] = ()
    produces: str | None = None  # licence type issued on grant
    # Optional guide elements (办事指南), shown when present.
    basic_code: str | None = None
    implementation_code: str | None = None
    legal_basis: str | None = None  # 设定依据
    conditions: str | None = None  # 受理条件
    review_points: str | None = None  # 审查要点
    service_object: str | None = None  # 服务对象: 自然人 / 法人 / …
    handling_forms: tuple[str, ...] = ()  # 办理形式: 窗口办理 / 网上办理 / 快递申请
    fee: str | None = None  # None or "" = 不收费; otherwise the fee and its basis
    online_level: str | None = None  # 网办深度
    special_procedures: tuple[str, ...] = ()  # 特别程序 (pause the clock)
    address: str | None = None
    hours: str | None = None
    contact: str | None = None
    supervision: str | None = None  # 监督投诉方式
    result: str | None = None  # 办理结果 name
    pause_allowed: bool = True
    extension_days: int | None = None  # extension the law allows; None = the default rule
    description: str | None = None
    # 信用 / 告知承诺 / 容缺 (issue 4); defaults are left out of the canonical form, so the content
    # hash of an item that does not use them is unchanged.
    instant_approval: bool = False  # 信用+秒批: granted at once for a complete, good-credit case
    commitment_verify_days: int | None = None  # 告知承诺核查期限, working days after acceptance
    remarked_licence: bool = False  # 容缺: the licence may be issued "with remark" before supply
    line: int | None = None
    source: str | None = None


@dataclass(frozen=True)
class Question:
    """情形引导: a typed question whose answer drives ``when`` expressions."""

    code: str
    text: str
    type: str = "text"
    options: tuple[str, ...] = ()
    help: str | None = None


@dataclass(frozen=True)
class BundleItem:
    """An item inside a bundle, with its ``after`` dependencies and its ``when`` condition."""

    item: str
    after: tuple[str, ...] = ()
    when: str | None = None


@dataclass(frozen=True)
class Bundle:
    """一件事: several items joined into one service with one form and one submission."""

    code: str
    name: str
    department: str
    items: tuple[BundleItem, ...] = ()
    questions: tuple[Question, ...] = ()
    steps: tuple[str, ...] = ()
    visits: int = 0
    silence_is_consent: bool = False  # 超时默认
    promised_days: int | None = (
        None  # a bundle-level promise, if published (shown, not used by the report)
    )
    description: str | None = None
    audience: str | None = None  # 个人 / 法人 (life event vs enterprise life cycle)
    life_event: str | None = None  # 出生, 教育, … / 准入准营, 注销退出, …
    batch: str | None = None  # national batch, e.g. "2024-1", or "local"
    line: int | None = None
    source: str | None = None


@dataclass
class Catalogue:
    """A whole catalogue: every kind of entry by code, in declaration order."""

    departments: dict[str, Department] = field(default_factory=dict)
    data_elements: dict[str, DataElement] = field(default_factory=dict)
    licence_types: dict[str, LicenceType] = field(default_factory=dict)
    materials: dict[str, Material] = field(default_factory=dict)
    items: dict[str, ServiceItem] = field(default_factory=dict)
    bundles: dict[str, Bundle] = field(default_factory=dict)
