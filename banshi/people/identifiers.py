"""Identifier checks (pure: no Django import) — reference/standards.md §6.

* 公民身份号码 (GB 11643-1999): 6-digit address code + birth date YYYYMMDD + 3-digit sequence
  (odd = male) + ISO 7064 MOD 11-2 check character (``0-9`` or ``X``).
* 统一社会信用代码 (GB 32100-2015): 18 characters from ``0-9A-Z`` without ``I O Z S V``; pos 1
  registration authority, pos 2 category, pos 3–8 region, pos 9–17 organisation code (GB 11714,
  with its own check character at pos 17), pos 18 the MOD 31 check character.
* 电子证照标识 (GB/T 36904): ``1.2.156.3005.2.<type code>.<issuer USCC>.<serial>.<version>.<check>``,
  check = ISO 7064 MOD 37,36 over the parts without the root and without the dots.

Policy, decided once: input is normalised before it is checked — full-width forms (``１``, ``Ｘ``)
become ASCII, every space is removed, letters become upper case — and the normalised value is the
one to store (``11010519491231002x`` is stored as ``11010519491231002X``). Anything else that is not
in the character set is refused, never guessed at.

Every refusal is an :class:`IdentifierError` (a ``ValueError``) with a machine ``code`` and a
message in Chinese and English that says why.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

__all__ = [
    "LICENCE_ROOT",
    "IdNumber",
    "IdentifierError",
    "IdentifierWarning",
    "LicenceIdentifier",
    "Uscc",
    "convert_legacy_id_number",
    "id_check_character",
    "licence_check_character",
    "mask_id_number",
    "mask_name",
    "mask_phone",
    "normalise",
    "org_code_check_character",
    "uscc_check_character",
    "validate_id_number",
    "validate_licence_identifier",
    "validate_uscc",
]


class IdentifierError(ValueError):
    """An identifier was refused. ``code`` is stable (for programs and tests); ``str()`` is the
    message in Chinese and English, e.g. ``身份证号码校验位错误，应为 X / ID number check character
    is wrong: expected X``.

    Codes: ``empty``, ``length``, ``legacy``, ``characters``, ``birth_date``, ``check_digit``
    (ID numbers); ``empty``, ``length``, ``characters``, ``check_digit`` (USCC); ``empty``,
    ``structure``, ``characters``, ``uscc``, ``check_digit`` (licence identifiers).
    """

    def __init__(self, code: str, message_zh: str, message_en: str, *, kind: str = ""):
        self.code = code
        self.kind = kind
        self.message_zh = message_zh
        self.message_en = message_en
        super().__init__(f"{message_zh} / {message_en}")

    @property
    def message(self) -> str:
        return str(self)


@dataclass(frozen=True)
class IdentifierWarning:
    """A doubt that does not refuse the identifier (e.g. the embedded GB 11714 check)."""

    code: str
    message_zh: str
    message_en: str

    def __str__(self) -> str:
        return f"{self.message_zh} / {self.message_en}"


# --------------------------------------------------------------------------------------------
# Normalisation and masking
# --------------------------------------------------------------------------------------------

_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}  # ！..～ -> !..~
_FULL_WIDTH[0x3000] = 0x20  # ideographic space


def normalise(raw: object) -> str:
    """The form an identifier is checked and stored in: ASCII, no spaces, upper case.

    Only full-width ASCII forms are folded (what Chinese input methods produce); any other
    non-ASCII character is kept, so that the character check refuses it.
    """
    if raw is None:
        return ""
    text = str(raw).translate(_FULL_WIDTH)
    return "".join(text.split()).upper()


def mask_id_number(value: str) -> str:
    """``11010519491231002X`` -> ``1101**********002X`` (first 4 and last 4 kept, for lists)."""
    text = normalise(value)
    if len(text) <= 8:
        return "*" * len(text)
    return text[:4] + "*" * (len(text) - 8) + text[-4:]


def mask_phone(value: str) -> str:
    """``13800000000`` -> ``138****0000``: first 3 and last 4 digits kept, the rest masked.

    Separators and a ``+86`` prefix are dropped; a number of 7 digits or fewer keeps only its last
    2 digits.
    """
    text = normalise(value)
    if text.startswith("+86"):
        text = text[3:]
    text = "".join(ch for ch in text if ch in DIGITS)
    if not text:
        return ""
    if len(text) <= 7:
        return "*" * max(len(text) - 2, 0) + text[-2:]
    return text[:3] + "*" * (len(text) - 7) + text[-4:]


def mask_name(value: str) -> str:
    """``张三`` -> ``张*``, ``欧阳娜娜`` -> ``欧***``: the first character kept."""
    text = (value or "").strip()
    return text[:1] + "*" * (len(text) - 1) if text else ""


# --------------------------------------------------------------------------------------------
# 公民身份号码 (GB 11643-1999)
# --------------------------------------------------------------------------------------------

DIGITS = "0123456789"
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
# Nobody born earlier held a resident ID card (first issued 1984); an earlier year is a typing error.
EARLIEST_BIRTH_DATE = dt.date(1850, 1, 1)


@dataclass(frozen=True)
class IdNumber:
    """A valid 公民身份号码, normalised (upper-case ``X``)."""

    value: str
    region_code: str
    birth_date: dt.date
    sequence: str
    sex: str  # "male" | "female" (sequence odd = male)

    @property
    def is_male(self) -> bool:
        return self.sex == "male"

    @property
    def sex_label(self) -> str:
        return "男" if self.is_male else "女"

    def __str__(self) -> str:
        return self.value


def id_check_character(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of the first 17 digits."""
    if len(first17) != 17 or any(ch not in DIGITS for ch in first17):
        raise IdentifierError(
            "characters",
            "身份证号码前17位应为数字",
            "the first 17 characters of an ID number must be digits",
            kind="id_number",
        )
    return ID_CHECK[sum(int(ch) * w for ch, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def _id_error(code: str, zh: str, en: str) -> IdentifierError:
    return IdentifierError(code, zh, en, kind="id_number")


def validate_id_number(raw: object, *, today: dt.date | None = None) -> IdNumber:
    """Check a 公民身份号码 and return it normalised with its birth date and sex.

    Checks, in order: length 18 (a 15-digit legacy number is refused with its own code, see
    :func:`convert_legacy_id_number`), 17 digits then a digit or ``X``, a real birth date between
    1850-01-01 and ``today`` (pass it explicitly; ``None`` means the machine's local date), and the
    ISO 7064 MOD 11-2 check character. The address code is not checked against GB/T 2260.
    """
    value = normalise(raw)
    if not value:
        raise _id_error("empty", "请填写身份证号码", "the ID number is empty")
    if len(value) != 18:
        if len(value) == 15 and all(ch in DIGITS for ch in value):
            raise _id_error(
                "legacy",
                "这是15位旧身份证号码，请填写18位号码",
                "this is a legacy 15-digit ID number: enter the 18-character number",
            )
        raise _id_error(
            "length",
            f"身份证号码应为18位，实际为{len(value)}位",
            f"an ID number has 18 characters, this one has {len(value)}",
        )
    for position, ch in enumerate(value, start=1):
        allowed = DIGITS + "X" if position == 18 else DIGITS
        if ch not in allowed:
            expected_zh = "数字或X" if position == 18 else "数字"
            expected_en = "a digit or X" if position == 18 else "a digit"
            raise _id_error(
                "characters",
                f"身份证号码第{position}位“{ch}”无效，应为{expected_zh}",
                f"ID number character {position} ({ch!r}) is not allowed: expected {expected_en}",
            )
    digits = value[6:14]
    try:
        birth = dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise _id_error(
            "birth_date",
            f"身份证号码中的出生日期{digits}不是有效日期",
            f"the birth date {digits} in the ID number is not a real date",
        ) from None
    today = today or dt.date.today()
    if birth > today:
        raise _id_error(
            "birth_date",
            f"身份证号码中的出生日期{birth.isoformat()}晚于今天",
            f"the birth date {birth.isoformat()} in the ID number is in the future",
        )
    if birth < EARLIEST_BIRTH_DATE:
        raise _id_error(
            "birth_date",
            f"身份证号码中的出生日期{birth.isoformat()}早于1850年",
            f"the birth date {birth.isoformat()} in the ID number is before 1850",
        )
    expected = id_check_character(value[:17])
    if value[17] != expected:
        raise _id_error(
            "check_digit",
            f"身份证号码校验位错误，应为 {expected}",
            f"ID number check character is wrong: expected {expected}",
        )
    return IdNumber(
        value=value,
        region_code=value[:6],
        birth_date=birth,
        sequence=value[14:17],
        sex="male" if int(value[16]) % 2 else "female",
    )


def convert_legacy_id_number(raw: object) -> str:
    """A 15-digit legacy number -> its 18-character form (``19`` inserted before the year, check
    computed). The result is not validated further: pass it to :func:`validate_id_number`."""
    value = normalise(raw)
    if len(value) != 15 or any(ch not in DIGITS for ch in value):
        raise _id_error(
            "length",
            "15位旧身份证号码应为15位数字",
            "a legacy ID number has 15 digits",
        )
    first17 = value[:6] + "19" + value[6:]
    return first17 + id_check_character(first17)


# --------------------------------------------------------------------------------------------
# 统一社会信用代码 (GB 32100-2015)
# --------------------------------------------------------------------------------------------

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I O Z S V
USCC_VALUE = {ch: index for index, ch in enumerate(USCC_CHARSET)}
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)  # 3^i mod 31
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

# 登记管理部门代码 -> (name, {机构类别代码: name}) — GB 32100-2015 table 1 with its amendments
# (A: 中央军委改革和编制办公室, N: 农业), as repeated consistently in public code; Y's one category is
# [UNCONFIRMED]. A code outside this table is not refused (the table grows by amendment): it is
# reported as unknown.
USCC_AUTHORITIES: dict[str, tuple[str, dict[str, str]]] = {
    "1": (
        "机构编制",
        {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"},
    ),
    "2": ("外交", {"1": "外国常驻新闻机构", "9": "其他"}),
    "3": (
        "司法行政",
        {
            "1": "律师执业机构",
            "2": "公证处",
            "3": "基层法律服务所",
            "4": "司法鉴定机构",
            "5": "仲裁委员会",
            "9": "其他",
        },
    ),
    "4": ("文化", {"1": "外国在华文化中心", "9": "其他"}),
    "5": ("民政", {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"}),
    "6": (
        "旅游",
        {
            "1": "外国旅游部门常驻代表机构",
            "2": "港澳台地区旅游部门常驻内地（大陆）代表机构",
            "9": "其他",
        },
    ),
    "7": ("宗教", {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"}),
    "8": ("工会", {"1": "基层工会", "9": "其他"}),
    "9": ("工商", {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"}),
    "A": ("中央军委改革和编制办公室", {"1": "军队事业单位", "9": "其他"}),
    "N": (
        "农业",
        {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"},
    ),
    "Y": ("其他", {"1": "其他"}),
}


@dataclass(frozen=True)
class Uscc:
    """A valid 统一社会信用代码 (pos-18 check passed), normalised to upper case.

    ``warnings`` holds doubts that do not refuse the code: a bad embedded GB 11714 check at pos 17
    (``org_check``), an authority or category not in the table (``authority``, ``category``), a
    region that is not six digits (``region``).
    """

    value: str
    authority_code: str
    authority: str | None
    category_code: str
    category: str | None
    region_code: str
    org_code: str  # 主体标识码 (组织机构代码), pos 9–17
    org_check_ok: bool
    warnings: tuple[IdentifierWarning, ...] = field(default=())

    @property
    def warning_codes(self) -> tuple[str, ...]:
        return tuple(warning.code for warning in self.warnings)

    def __str__(self) -> str:
        return self.value


def _uscc_error(code: str, zh: str, en: str) -> IdentifierError:
    return IdentifierError(code, zh, en, kind="uscc")


def uscc_check_character(first17: str) -> str:
    """GB 32100 check character (pos 18) of the first 17 characters."""
    if len(first17) != 17:
        raise _uscc_error(
            "length",
            "计算统一社会信用代码校验位需要前17位",
            "the USCC check is computed over exactly 17 characters",
        )
    try:
        total = sum(USCC_VALUE[ch] * w for ch, w in zip(first17, USCC_WEIGHTS, strict=True))
    except (KeyError, ValueError):
        raise _uscc_error(
            "characters",
            "统一社会信用代码前17位含有无效字符",
            "the first 17 characters of a USCC contain a character outside the code set",
        ) from None
    return USCC_CHARSET[(31 - total % 31) % 31]


def org_code_check_character(first8: str) -> str:
    """GB 11714 check character over the 8 characters of an organisation code (USCC pos 9–16)."""
    if len(first8) != 8 or any(not (ch.isascii() and ch.isalnum()) for ch in first8):
        raise _uscc_error(
            "characters",
            "组织机构代码本体应为8位数字或大写字母",
            "an organisation code body has 8 digits or upper-case letters",
        )

    def value(ch: str) -> int:
        return int(ch) if ch.isdigit() else ord(ch.upper()) - 55

    check = 11 - sum(value(ch) * w for ch, w in zip(first8, ORG_WEIGHTS, strict=True)) % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def validate_uscc(raw: object) -> Uscc:
    """Check a 统一社会信用代码 and return it normalised and decoded.

    Refused: empty, not 18 characters, a character outside the 31-character set (``I O Z S V``
    and anything non-alphanumeric), a wrong pos-18 check character. Not refused but warned: a wrong
    embedded GB 11714 check (pos 17), an unlisted authority/category, a non-numeric region.
    """
    value = normalise(raw)
    if not value:
        raise _uscc_error(
            "empty", "请填写统一社会信用代码", "the unified social credit code is empty"
        )
    if len(value) != 18:
        raise _uscc_error(
            "length",
            f"统一社会信用代码应为18位，实际为{len(value)}位",
            f"a unified social credit code has 18 characters, this one has {len(value)}",
        )
    for position, ch in enumerate(value, start=1):
        if ch not in USCC_VALUE:
            reason_zh = "（不使用 I、O、Z、S、V）" if ch in "IOZSV" else ""
            reason_en = " (I, O, Z, S and V are not used)" if ch in "IOZSV" else ""
            raise _uscc_error(
                "characters",
                f"统一社会信用代码第{position}位“{ch}”不是有效字符{reason_zh}",
                f"USCC character {position} ({ch!r}) is not in the code set{reason_en}",
            )
    expected = uscc_check_character(value[:17])
    if value[17] != expected:
        raise _uscc_error(
            "check_digit",
            f"统一社会信用代码校验位错误，应为 {expected}",
            f"USCC check character is wrong: expected {expected}",
        )
    warnings: list[IdentifierWarning] = []
    authority_code, category_code = value[0], value[1]
    authority_entry = USCC_AUTHORITIES.get(authority_code)
    authority = authority_entry[0] if authority_entry else None
    category = authority_entry[1].get(category_code) if authority_entry else None
    if authority_entry is None:
        warnings.append(
            IdentifierWarning(
                "authority",
                f"登记管理部门代码“{authority_code}”不在已知列表中",
                f"registration authority code {authority_code!r} is not in the known list",
            )
        )
    elif category is None:
        warnings.append(
            IdentifierWarning(
                "category",
                f"机构类别代码“{category_code}”不属于登记管理部门“{authority}”",
                f"category code {category_code!r} is not listed for authority {authority_code!r}",
            )
        )
    region = value[2:8]
    if not all(ch in DIGITS for ch in region):
        warnings.append(
            IdentifierWarning(
                "region",
                f"登记管理机关行政区划码“{region}”应为6位数字",
                f"the registration region code {region!r} should be six digits",
            )
        )
    org_body, org_check = value[8:16], value[16]
    expected_org = org_code_check_character(org_body)
    org_check_ok = org_check == expected_org
    if not org_check_ok:
        warnings.append(
            IdentifierWarning(
                "org_check",
                f"组织机构代码校验位（第17位）应为 {expected_org}，请核对",
                f"the organisation code check character (position 17) should be {expected_org}: please verify",
            )
        )
    return Uscc(
        value=value,
        authority_code=authority_code,
        authority=authority,
        category_code=category_code,
        category=category,
        region_code=region,
        org_code=value[8:17],
        org_check_ok=org_check_ok,
        warnings=tuple(warnings),
    )


# --------------------------------------------------------------------------------------------
# 电子证照标识 (GB/T 36904): ISO 7064 MOD 37,36
# --------------------------------------------------------------------------------------------

LICENCE_ROOT = "1.2.156.3005.2"
A36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
A36_VALUE = {ch: index for index, ch in enumerate(A36)}


def _licence_error(code: str, zh: str, en: str) -> IdentifierError:
    return IdentifierError(code, zh, en, kind="licence")


def licence_check_character(body: str) -> str:
    """ISO/IEC 7064 MOD 37,36 check character of an e-licence identifier.

    ``body`` is the part after the root and before the check: type code, issuer, serial and
    version, with or without the dots (a leading ``1.2.156.3005.2.`` is ignored). Letters may be
    in either case.
    """
    text = normalise(body)
    if text.startswith(LICENCE_ROOT + "."):
        text = text[len(LICENCE_ROOT) + 1 :]
    text = text.replace(".", "")
    if not text:
        raise _licence_error("empty", "证照标识为空", "the licence identifier is empty")
    p = 36
    for ch in text:
        value = A36_VALUE.get(ch)
        if value is None:
            raise _licence_error(
                "characters",
                f"证照标识含有无效字符“{ch}”",
                f"the licence identifier contains {ch!r}: only 0-9 and A-Z are allowed",
            )
        t = (p + value) % 36 or 36
        p = (2 * t) % 37
    return A36[(37 - p) % 36]


@dataclass(frozen=True)
class LicenceIdentifier:
    """A valid 电子证照标识 and its parts."""

    value: str
    type_code: str  # 证照类型代码: defining authority's USCC + 3-digit sequence
    defining_authority: str  # USCC of the 证照定义机构
    issuer: str  # USCC of the 证照颁发机构
    serial: str
    version: str
    check: str

    def __str__(self) -> str:
        return self.value


def validate_licence_identifier(raw: object) -> LicenceIdentifier:
    """Check an e-licence identifier: root OID, five dotted parts, both embedded USCCs (GB 32100
    pos-18 check) and the MOD 37,36 check character (reference §6.3; GB/T 36904 not read in full)."""
    value = normalise(raw)
    if not value:
        raise _licence_error("empty", "证照标识为空", "the licence identifier is empty")
    prefix = LICENCE_ROOT + "."
    parts = value[len(prefix) :].split(".") if value.startswith(prefix) else []
    if len(parts) != 5:
        raise _licence_error(
            "structure",
            f"证照标识应为“{LICENCE_ROOT}.类型代码.颁发机构代码.流水号.版本号.校验位”",
            f"a licence identifier reads {LICENCE_ROOT}.type.issuer.serial.version.check",
        )
    type_code, issuer, serial, version, check = parts
    if len(type_code) != 21 or not type_code[18:].isdigit() or not type_code[18:].isascii():
        raise _licence_error(
            "structure",
            "证照类型代码应为定义机构的统一社会信用代码加3位数字",
            "the licence type code is the defining authority's USCC followed by 3 digits",
        )
    if not serial or len(serial) > 64 or any(ch not in A36_VALUE for ch in serial):
        raise _licence_error(
            "structure",
            "证照流水号应为1至64位数字或大写字母",
            "the licence serial has 1 to 64 digits or upper-case letters",
        )
    if len(version) != 3 or any(ch not in DIGITS for ch in version):
        raise _licence_error(
            "structure", "证照版本号应为3位数字", "the licence version has 3 digits"
        )
    if len(check) != 1:
        raise _licence_error(
            "structure", "证照标识校验位应为1位", "the licence identifier check is one character"
        )
    for label_zh, label_en, code in (
        ("证照定义机构", "defining authority", type_code[:18]),
        ("证照颁发机构", "issuer", issuer),
    ):
        try:
            validate_uscc(code)
        except IdentifierError as error:
            raise _licence_error(
                "uscc",
                f"证照标识中的{label_zh}代码无效：{error.message_zh}",
                f"the {label_en} code in the licence identifier is invalid: {error.message_en}",
            ) from error
    expected = licence_check_character(".".join(parts[:4]))
    if check != expected:
        raise _licence_error(
            "check_digit",
            f"证照标识校验位错误，应为 {expected}",
            f"licence identifier check character is wrong: expected {expected}",
        )
    return LicenceIdentifier(
        value=value,
        type_code=type_code,
        defining_authority=type_code[:18],
        issuer=issuer,
        serial=serial,
        version=version,
        check=check,
    )
