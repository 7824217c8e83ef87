"""Situation answers (情形引导) from a query string, converted per question type.

The bundle page is a GET form so that a plan can be bookmarked, shared and reloaded, and works without
JavaScript; so every answer arrives as text. Each question's ``type`` says what the text must be
(number → int or Decimal, bool → True/False, date → ISO date, enum → one of the options); the
expression language then compares like with like. A malformed answer is not fatal: it is reported
next to its question (in Chinese and English) and the plan is computed as if it were unanswered.
Pure: no Django import, so the rules can be tested alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from banshi.catalog.schema import Question

MAX_ANSWER_CHARS = 200  # a longer text is not an answer to any question we ask

TRUE_WORDS = frozenset({"true", "1", "yes", "y", "on", "是"})
FALSE_WORDS = frozenset({"false", "0", "no", "n", "off", "否"})


class AnswerError(ValueError):
    """An answer that does not fit its question's type; the message is Chinese / English."""


@dataclass
class ParsedAnswers:
    """What the applicant answered: typed values, the raw text (to re-fill the form), and errors."""

    values: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def parse_number(text: str, question: Question) -> int | Decimal:
    """A decimal number; integral values become ``int``, others ``Decimal`` (exact, no float)."""
    cleaned = text.replace(",", "").replace("，", "").strip()
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise AnswerError("请输入数字 / Please enter a number.") from None
    if not number.is_finite():
        raise AnswerError("请输入数字 / Please enter a number.")
    if abs(number) >= Decimal("1e15"):
        raise AnswerError("数字过大 / The number is too large.")
    if number == number.to_integral_value():
        return int(number)
    return number


def parse_bool(text: str, question: Question) -> bool:
    """是/否, true/false, 1/0, yes/no, on/off."""
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise AnswerError("请选择“是”或“否” / Please choose yes or no.")


def parse_date(text: str, question: Question) -> dt.date:
    """An ISO date (YYYY-MM-DD), as the browser's date input sends it."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise AnswerError(
            "请输入有效日期（年-月-日） / Please enter a valid date (YYYY-MM-DD)."
        ) from None


def parse_enum(text: str, question: Question) -> str:
    """One of the question's options, exactly."""
    value = text.strip()
    if value not in question.options:
        raise AnswerError("请从列表中选择 / Please choose one of the options.")
    return value


def parse_text(text: str, question: Question) -> str:
    return text.strip()


PARSERS: dict[str, Callable[[str, Question], Any]] = {
    "number": parse_number,
    "bool": parse_bool,
    "date": parse_date,
    "enum": parse_enum,
}


def parse_answers(questions: Sequence[Question], query: Mapping[str, Any]) -> ParsedAnswers:
    """Read each question's answer from ``query`` (a QueryDict or dict; the last value wins).

    An empty or missing answer is unanswered, not an error; a malformed one is an error and
    unanswered. Keys that are not questions are ignored.
    """
    parsed = ParsedAnswers()
    for question in questions:
        text = _last(query, question.code)
        if text is None:
            continue
        text = str(text)[:MAX_ANSWER_CHARS]
        parsed.raw[question.code] = text
        if not text.strip():
            continue
        parser = PARSERS.get(question.type, parse_text)
        try:
            parsed.values[question.code] = parser(text, question)
        except AnswerError as error:
            parsed.errors[question.code] = str(error)
    return parsed


def _last(query: Mapping[str, Any], key: str) -> Any:
    getlist = getattr(query, "getlist", None)
    if getlist is not None:
        values = getlist(key)
        return values[-1] if values else None
    return query.get(key)


def as_query(parsed: ParsedAnswers) -> dict[str, str]:
    """The raw answers that were given, for building links and the address bar."""
    return {code: text for code, text in parsed.raw.items() if text.strip()}
