"""Errors of the expression language, each in Chinese and English with a caret under the culprit.

Catalogue administrators read these messages in ``banshi catalog check`` and in the admin UI, so every
error says *what* was expected and *where* (a 0-based character offset and a caret line), in both
languages, and keeps the pieces (``position``, ``source``, ``zh``, ``en``) for a UI to lay out itself.
"""

from __future__ import annotations

import unicodedata

Span = tuple[int, int]


class ExprError(ValueError):
    """Base class of every error raised by :mod:`banshi.expr`."""


def _width(text: str) -> int:
    """Terminal width of ``text``: CJK and full-width characters take two columns, so carets line up."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def caret_lines(source: str, start: int, end: int | None = None) -> str:
    """Two indented lines: the source line holding ``start`` and a caret (or ``^^^`` for a span) under it.

    Only the line that holds the error is shown, so an expression written over several YAML lines still
    gives a short, readable message.
    """
    start = max(0, min(start, len(source)))
    line_start = source.rfind("\n", 0, start) + 1
    line_end = source.find("\n", start)
    if line_end == -1:
        line_end = len(source)
    # Long lines are cut to a window around the error, marked with "...".
    window_start = line_start if start - line_start <= _WINDOW else start - _WINDOW
    window_end = line_end if line_end - start <= _WINDOW else start + _WINDOW
    before = "..." if window_start > line_start else ""
    after = "..." if window_end < line_end else ""
    stop = start + 1 if end is None else max(start + 1, min(end, window_end))
    pad = " " * _width(before + source[window_start:start])
    marks = "^" * max(1, _width(source[start:stop]))
    text = "".join(ch if ch.isprintable() else " " for ch in source[window_start:window_end])
    return f"  {before}{text}{after}\n  {pad}{marks}"


_WINDOW = 60


class ExprSyntaxError(ExprError):
    """The source text is not a well-formed expression.

    ``position`` is the 0-based character offset of the problem; ``zh`` and ``en`` are the bare reasons
    (e.g. ``应为数值或名称`` / ``expected a value or a name``) without the location prefix.
    """

    def __init__(self, source: str, position: int, zh: str, en: str) -> None:
        self.source = source
        self.position = position
        self.zh = zh
        self.en = en
        message = (
            f"表达式语法错误，第 {position} 个字符处{zh} / syntax error at character {position}: {en}\n"
            + caret_lines(source, position)
        )
        super().__init__(message)


class _SpanError(ExprError):
    """An error about an already parsed node: points at the node's span when the source is known."""

    kind_zh = "表达式错误"
    kind_en = "expression error"

    def __init__(
        self, zh: str, en: str, span: Span | None = None, source: str | None = None
    ) -> None:
        self.zh = zh
        self.en = en
        self.span = span
        self.source = source
        self.position = span[0] if span is not None else None
        if span is None:
            message = f"{self.kind_zh}：{zh} / {self.kind_en}: {en}"
        else:
            message = (
                f"{self.kind_zh}，第 {span[0]} 个字符处：{zh} / "
                f"{self.kind_en} at character {span[0]}: {en}"
            )
            if source is not None:
                message += "\n" + caret_lines(source, span[0], span[1])
        super().__init__(message)


class ExprTypeError(_SpanError, TypeError):
    """Operands of the wrong type, found statically (:func:`infer_type`) or at run time (:func:`evaluate`)."""

    kind_zh = "表达式类型错误"
    kind_en = "type error"


class ExprNameError(_SpanError, LookupError):
    """A name that the schema does not know (only with ``strict=True``)."""

    kind_zh = "表达式名称错误"
    kind_en = "name error"

    def __init__(
        self, name: str, span: Span | None = None, source: str | None = None, *, known: str = ""
    ) -> None:
        self.name = name
        hint_zh = f"（可用：{known}）" if known else ""
        hint_en = f" (known: {known})" if known else ""
        super().__init__(
            f"未知名称 '{name}'{hint_zh}", f"unknown name '{name}'{hint_en}", span, source
        )
