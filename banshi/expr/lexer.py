"""Tokenizer: source text → tokens, hand-written so that every error names the exact character.

It scans left to right, one token at a time, with no backtracking regular expressions, so its time is
linear in the length of the input whatever the input is (the fuzz tests rely on this).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from .errors import ExprSyntaxError
from .nodes import KEYWORDS, is_name_char, is_name_start, parse_iso_date

WHITESPACE = frozenset(" \t\r\n\u3000")  # U+3000: the full-width space of Chinese input methods
MAX_NUMBER_DIGITS = 100

# Looks like a date (4-digit year, dashes, 1–2 digit month and day): it must then be a valid ISO date,
# so that ``2024-1-1`` is an error instead of silently meaning the number 2022.
_DATE_LIKE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}(?![0-9])")

_TWO_CHAR_OPS = {"==", "!=", "<=", ">="}
_ONE_CHAR_OPS = {"<", ">", "+", "-", "*", "/"}
_PUNCTUATION = {"(", ")", "[", "]", ","}

# Characters people type by mistake, with the ASCII form the language wants.
_HINTS = {
    "（": "(",
    "）": ")",
    "【": "[",
    "】": "]",
    "［": "[",
    "］": "]",
    "，": ",",
    "‘": "'",
    "’": "'",
    "“": '"',
    "”": '"',
    "＝": "==",
    "＞": ">",
    "＜": "<",
    "！": "!=",
    "＋": "+",
    "－": "-",
    "＊": "*",
    "／": "/",
    "．": ".",
    "。": ".",
    "=": "==",
    "&": "and",
    "|": "or",
    "!": "not' / '!=",
}

_ESCAPES = {"\\": "\\", "'": "'", '"': '"', "n": "\n", "t": "\t", "r": "\r"}


@dataclass(frozen=True, slots=True)
class Token:
    """One token; ``kind`` is number, string, date, name, keyword, op, a punctuation mark, or end."""

    kind: str
    text: str
    value: object
    start: int
    end: int


def describe(ch: str) -> str:
    """A character as shown in messages: itself when printable, else its code point."""
    return f"'{ch}'" if ch.isprintable() and ch not in WHITESPACE else f"U+{ord(ch):04X}"


class _Lexer:
    def __init__(self, source: str) -> None:
        self.source = source
        self.pos = 0
        self.tokens: list[Token] = []

    def error(self, position: int, zh: str, en: str) -> ExprSyntaxError:
        return ExprSyntaxError(self.source, position, zh, en)

    def run(self) -> list[Token]:
        source = self.source
        while True:
            while self.pos < len(source) and source[self.pos] in WHITESPACE:
                self.pos += 1
            if self.pos >= len(source):
                self.tokens.append(Token("end", "", None, len(source), len(source)))
                return self.tokens
            self.tokens.append(self.token())

    def token(self) -> Token:
        ch = self.source[self.pos]
        if "0" <= ch <= "9":
            return self.date_or_number()
        if ch in "'\"":
            return self.string()
        if is_name_start(ch):
            return self.name()
        two = self.source[self.pos : self.pos + 2]
        if two in _TWO_CHAR_OPS:
            return self.simple("op", 2)
        if two in ("&&", "||", "<>"):
            raise self.unexpected(two, {"&&": "and", "||": "or", "<>": "!="}[two])
        if ch in _ONE_CHAR_OPS:
            return self.simple("op", 1)
        if ch in _PUNCTUATION:
            return self.simple(ch, 1)
        raise self.unexpected(ch, _HINTS.get(ch))

    def unexpected(self, text: str, hint: str | None) -> ExprSyntaxError:
        shown = describe(text) if len(text) == 1 else f"'{text}'"
        if hint is None:
            return self.error(
                self.pos, f"有无法识别的字符 {shown}", f"unexpected character {shown}"
            )
        return self.error(
            self.pos,
            f"有无法识别的字符 {shown}，请改用 '{hint}'",
            f"unexpected character {shown}, use '{hint}'",
        )

    def simple(self, kind: str, length: int) -> Token:
        start = self.pos
        self.pos += length
        text = self.source[start : self.pos]
        return Token(kind, text, text, start, self.pos)

    def date_or_number(self) -> Token:
        start = self.pos
        match = _DATE_LIKE.match(self.source, start)
        if match:
            text = match.group()
            value = parse_iso_date(text)
            if value is None:
                raise self.error(
                    start,
                    f"的日期 '{text}' 无效（应为真实存在的日期，格式 YYYY-MM-DD）",
                    f"invalid date '{text}' (expected a real date written YYYY-MM-DD)",
                )
            self.pos = match.end()
            self.check_number_end(start)
            return Token("date", text, value, start, self.pos)
        return self.number(start)

    def number(self, start: int) -> Token:
        source = self.source
        pos = start
        while pos < len(source) and "0" <= source[pos] <= "9":
            pos += 1
        is_decimal = pos + 1 < len(source) and source[pos] == "." and "0" <= source[pos + 1] <= "9"
        if is_decimal:
            pos += 1
            while pos < len(source) and "0" <= source[pos] <= "9":
                pos += 1
        self.pos = pos
        text = source[start:pos]
        if len(text) > MAX_NUMBER_DIGITS:
            raise self.error(
                start,
                f"的数字超过 {MAX_NUMBER_DIGITS} 位",
                f"number longer than {MAX_NUMBER_DIGITS} digits",
            )
        self.check_number_end(start)
        value: int | Decimal = Decimal(text) if is_decimal else int(text)
        return Token("number", text, value, start, pos)

    def check_number_end(self, start: int) -> None:
        """``12abc`` or ``1.5.2`` is one mistyped token, not a number followed by something else."""
        if self.pos < len(self.source):
            ch = self.source[self.pos]
            if is_name_char(ch) or ch == ".":
                end = self.pos
                while end < len(self.source) and (
                    is_name_char(self.source[end]) or self.source[end] == "."
                ):
                    end += 1
                text = self.source[start:end]
                raise self.error(
                    start,
                    f"的 '{text}' 不是有效的数字或日期",
                    f"'{text}' is not a valid number or date",
                )

    def string(self) -> Token:
        source = self.source
        start = self.pos
        quote = source[start]
        pos = start + 1
        chars: list[str] = []
        while True:
            if pos >= len(source):
                raise self.error(
                    start,
                    f"开始的字符串缺少结束引号 {quote}",
                    f"unterminated string: no closing {quote} for the quote here",
                )
            ch = source[pos]
            if ch == quote:
                break
            if "\ud800" <= ch <= "\udfff":
                raise self.error(
                    pos, "有无效的字符（孤立代理项）", "invalid character (lone surrogate)"
                )
            if ch == "\\":
                ch, pos = self.escape(pos)
                chars.append(ch)
                continue
            chars.append(ch)
            pos += 1
        self.pos = pos + 1
        return Token("string", source[start : self.pos], "".join(chars), start, self.pos)

    def escape(self, pos: int) -> tuple[str, int]:
        """Decode the escape at ``pos`` (a backslash); returns the character and the next position."""
        source = self.source
        if pos + 1 >= len(source):
            raise self.error(
                pos, "的反斜杠后缺少字符", "a backslash must be followed by a character"
            )
        code = source[pos + 1]
        if code in _ESCAPES:
            return _ESCAPES[code], pos + 2
        if code == "u":
            digits = source[pos + 2 : pos + 6]
            if len(digits) == 4 and all(c in "0123456789abcdefABCDEF" for c in digits):
                value = int(digits, 16)
                if not 0xD800 <= value <= 0xDFFF:
                    return chr(value), pos + 6
            raise self.error(
                pos,
                "的 \\u 转义应为 4 位十六进制数（不能是代理项）",
                "\\u must be followed by 4 hex digits (not a surrogate)",
            )
        raise self.error(
            pos,
            f"有未知的转义 '\\{code}'（可用 \\\\ \\' \\\" \\n \\t \\r \\uXXXX）",
            f"unknown escape '\\{code}' (known: \\\\ \\' \\\" \\n \\t \\r \\uXXXX)",
        )

    def name(self) -> Token:
        source = self.source
        start = self.pos
        pos = start
        while True:
            while pos < len(source) and is_name_char(source[pos]):
                pos += 1
            if pos < len(source) and source[pos] == ".":
                if pos + 1 < len(source) and is_name_start(source[pos + 1]):
                    pos += 1
                    continue
                raise self.error(
                    pos + 1,
                    "应为名称（'.' 之后）",
                    "expected a name after '.' (segments start with a letter)",
                )
            break
        self.pos = pos
        text = source[start:pos]
        if text in KEYWORDS:
            return Token("keyword", text, text, start, pos)
        if text.lower() in KEYWORDS:
            raise self.error(
                start,
                f"的关键字须小写，请写作 '{text.lower()}'",
                f"keywords are lowercase: write '{text.lower()}' instead of '{text}'",
            )
        return Token("name", text, text, start, pos)


def tokenize(source: str) -> list[Token]:
    """All tokens of ``source``, ending with one ``end`` token; raises :class:`ExprSyntaxError`."""
    return _Lexer(source).run()
