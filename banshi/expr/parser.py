"""Pratt (top-down operator precedence) parser: tokens → typed AST.

Precedence, loosest first: ``or`` < ``and`` < ``not`` < comparison / ``in`` < ``+ -`` < ``* /`` <
unary minus. Comparisons do not chain (``1 < x < 5`` is an error that suggests ``and``), because the
Python reading (``1 < x and x < 5``) and the SQL reading (``(1 < x) < 5``) differ.

Recursion is bounded (nesting and tree depth) so that hostile input fails with a syntax error instead
of a ``RecursionError``.
"""

from __future__ import annotations

import functools
from decimal import Decimal

from .errors import ExprSyntaxError
from .lexer import Token, tokenize
from .nodes import (
    FUNCTIONS,
    MAX_YEARS_AGO,
    BoolOp,
    Call,
    Compare,
    Expr,
    ListExpr,
    Literal,
    Name,
    Not,
    Unary,
    children,
    parse_iso_date,
)
from .nodes import Binary as BinaryNode

MAX_NESTING = 100  # parentheses, brackets, unary operators
MAX_DEPTH = 100  # depth of the finished tree (long left-assoc chains such as a+a+a+...)

OR_BP, AND_BP, NOT_BP, COMPARE_BP, ADD_BP, MUL_BP, UNARY_BP = 10, 20, 30, 40, 50, 60, 70

_INFIX_OPS = {
    "==": COMPARE_BP,
    "!=": COMPARE_BP,
    "<": COMPARE_BP,
    "<=": COMPARE_BP,
    ">": COMPARE_BP,
    ">=": COMPARE_BP,
    "+": ADD_BP,
    "-": ADD_BP,
    "*": MUL_BP,
    "/": MUL_BP,
}
_INFIX_KEYWORDS = {"or": OR_BP, "and": AND_BP, "in": COMPARE_BP, "not": COMPARE_BP}


def _span(first: Expr, last: Expr) -> tuple[int, int]:
    assert first.span is not None and last.span is not None
    return (first.span[0], last.span[1])


def _close_chain(op: str, operands: list[Expr], left: Expr) -> Expr:
    """The BoolOp of a finished and/or chain, or ``left`` when no chain is open.

    Operands are collected in a list and the node is built once, so a condition of n clauses
    parses in linear time (rebuilding the node per clause was quadratic).
    """
    if not operands:
        return left
    return BoolOp(op, tuple(operands), span=_span(operands[0], operands[-1]))


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.tokens = tokenize(source)
        self.index = 0
        self.nesting = 0

    # -- helpers -------------------------------------------------------------------------------
    def peek(self, offset: int = 0) -> Token:
        return self.tokens[min(self.index + offset, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.peek()
        self.index = min(self.index + 1, len(self.tokens) - 1)
        return token

    def error(self, position: int, zh: str, en: str) -> ExprSyntaxError:
        return ExprSyntaxError(self.source, position, zh, en)

    def expected_value(self, token: Token) -> ExprSyntaxError:
        found_zh = "" if token.kind == "end" else f"，而不是 '{token.text}'"
        found_en = "" if token.kind == "end" else f", found '{token.text}'"
        return self.error(
            token.start, f"应为数值或名称{found_zh}", f"expected a value or a name{found_en}"
        )

    # -- entry point ---------------------------------------------------------------------------
    def parse(self) -> Expr:
        first = self.peek()
        if first.kind == "end":
            raise self.error(first.start, "表达式为空", "the expression is empty")
        node = self.expression(0)
        token = self.peek()
        if token.kind != "end":
            raise self.trailing(token)
        self.check_depth(node)
        return node

    def trailing(self, token: Token) -> ExprSyntaxError:
        if token.kind == ")":
            return self.error(
                token.start,
                "有多余的 ')'，没有与之配对的 '('",
                "unexpected ')' without a matching '('",
            )
        if token.kind == "]":
            return self.error(
                token.start,
                "有多余的 ']'，没有与之配对的 '['",
                "unexpected ']' without a matching '['",
            )
        return self.error(
            token.start,
            f"应为运算符或表达式结尾，而不是 '{token.text}'",
            f"expected an operator or the end of the expression, found '{token.text}'",
        )

    def check_depth(self, root: Expr) -> None:
        """Refuse trees deeper than MAX_DEPTH (iteratively, since recursion is what we guard against)."""
        stack: list[tuple[Expr, int]] = [(root, 1)]
        while stack:
            node, depth = stack.pop()
            if depth > MAX_DEPTH:
                position = node.span[0] if node.span else 0
                raise self.error(
                    position,
                    f"表达式嵌套过深（超过 {MAX_DEPTH} 层）",
                    f"the expression is nested too deeply (more than {MAX_DEPTH} levels)",
                )
            stack.extend((child, depth + 1) for child in children(node))

    # -- Pratt loop ----------------------------------------------------------------------------
    def expression(self, rbp: int) -> Expr:
        self.nesting += 1
        if self.nesting > MAX_NESTING:
            raise self.error(
                self.peek().start,
                f"表达式嵌套过深（超过 {MAX_NESTING} 层）",
                f"the expression is nested too deeply (more than {MAX_NESTING} levels)",
            )
        try:
            return self.infix_loop(self.prefix(self.advance(), rbp), rbp)
        finally:
            self.nesting -= 1

    def binding_power(self, token: Token) -> int:
        if token.kind == "op":
            return _INFIX_OPS.get(token.text, 0)
        if token.kind == "keyword":
            return _INFIX_KEYWORDS.get(token.text, 0)
        return 0

    def infix_loop(self, left: Expr, rbp: int) -> Expr:
        chain: list[Expr] = []  # operands of the and/or chain being built (flattened, in one go)
        chain_op = ""
        compared = False  # a comparison was built in this loop: another one would chain
        while True:
            token = self.peek()
            lbp = self.binding_power(token)
            if lbp <= rbp:
                return _close_chain(chain_op, chain, left)
            self.advance()
            if token.text in ("and", "or"):
                right = self.expression(lbp)
                if chain_op != token.text:
                    left = _close_chain(chain_op, chain, left)
                    chain, chain_op = [left], token.text
                chain.append(right)
                compared = False
                continue
            left = _close_chain(chain_op, chain, left)
            chain, chain_op = [], ""
            if lbp == COMPARE_BP:
                if compared:
                    raise self.chained(token)
                left = self.comparison(token, left)
                compared = True
                continue
            right = self.expression(lbp)
            left = BinaryNode(token.text, left, right, span=_span(left, right))

    def chained(self, token: Token) -> ExprSyntaxError:
        return self.error(
            token.start,
            "不能连续比较，请用 and 连接两个比较（例如 1 < x and x < 5）",
            "comparisons cannot be chained; join two comparisons with 'and' (e.g. 1 < x and x < 5)",
        )

    def comparison(self, token: Token, left: Expr) -> Expr:
        op = token.text
        if op == "not":
            following = self.peek()
            if not (following.kind == "keyword" and following.text == "in"):
                raise self.error(
                    following.start,
                    "应为 'in'（'not' 用在两个值之间时只能写作 'not in'）",
                    "expected 'in' after 'not' (between two values only 'not in' is allowed)",
                )
            self.advance()
            op = "not in"
        right = self.expression(COMPARE_BP + 1)
        return Compare(op, left, right, span=_span(left, right))

    # -- prefix (nud) --------------------------------------------------------------------------
    def prefix(self, token: Token, rbp: int) -> Expr:
        kind = token.kind
        span = (token.start, token.end)
        if kind == "number":
            return Literal(token.value, "number", span=span)  # type: ignore[arg-type]
        if kind == "string":
            return Literal(token.value, "string", span=span)  # type: ignore[arg-type]
        if kind == "date":
            return Literal(token.value, "date", span=span)  # type: ignore[arg-type]
        if kind == "keyword" and token.text in ("true", "false"):
            return Literal(token.text == "true", "bool", span=span)
        if kind == "keyword" and token.text == "not" and rbp <= NOT_BP:
            operand = self.expression(NOT_BP)
            return Not(operand, span=(token.start, operand.span[1]))  # type: ignore[index]
        if kind == "op" and token.text == "-":
            return self.negation(token)
        if kind == "(":
            return self.group(token)
        if kind == "[":
            return self.list_(token)
        if kind == "name":
            if self.peek().kind == "(":
                return self.call(token)
            return Name(token.text, span=span)
        if kind == "keyword" and token.text == "not":
            raise self.error(
                token.start,
                "应为数值或名称（'not …' 在此处须加括号）",
                "expected a value or a name ('not …' needs parentheses here)",
            )
        raise self.expected_value(token)

    def negation(self, token: Token) -> Expr:
        following = self.peek()
        if following.kind == "number":  # fold -5 into one literal, as people read it
            self.advance()
            text = "-" + following.text
            value: int | Decimal = (
                Decimal(text) if isinstance(following.value, Decimal) else int(text)
            )
            return Literal(value, "number", span=(token.start, following.end))
        operand = self.expression(UNARY_BP)
        return Unary("-", operand, span=(token.start, operand.span[1]))  # type: ignore[index]

    def group(self, opening: Token) -> Expr:
        inner = self.expression(0)
        closing = self.peek()
        if closing.kind != ")":
            raise self.unclosed(closing, opening, ")")
        self.advance()
        return inner

    def unclosed(self, found: Token, opening: Token, close: str) -> ExprSyntaxError:
        found_zh = "" if found.kind == "end" else f"，而不是 '{found.text}'"
        found_en = "" if found.kind == "end" else f", found '{found.text}'"
        alternatives = " 或 ','" if close == "]" else ""
        alternatives_en = " or ','" if close == "]" else ""
        return self.error(
            found.start,
            f"应为 '{close}'{alternatives}，以闭合第 {opening.start} 个字符处的 '{opening.text}'{found_zh}",
            f"expected '{close}'{alternatives_en} to close the '{opening.text}' at character "
            f"{opening.start}{found_en}",
        )

    def list_(self, opening: Token) -> Expr:
        items: list[Expr] = []
        while True:
            if self.peek().kind == "]":
                break
            items.append(self.expression(0))
            if self.peek().kind == ",":
                self.advance()
                continue
            if self.peek().kind != "]":
                raise self.unclosed(self.peek(), opening, "]")
        closing = self.advance()
        return ListExpr(tuple(items), span=(opening.start, closing.end))

    def call(self, name: Token) -> Expr:
        if name.text not in FUNCTIONS:
            known = "、".join(FUNCTIONS)
            raise self.error(
                name.start,
                f"是未知函数 '{name.text}'（可用：{known}）",
                f"unknown function '{name.text}' (known: {', '.join(FUNCTIONS)})",
            )
        opening = self.advance()
        args: list[Expr] = []
        while self.peek().kind != ")":
            args.append(self.expression(0))
            if self.peek().kind == ",":
                self.advance()
            elif self.peek().kind != ")":
                raise self.unclosed(self.peek(), opening, ")")
        closing = self.advance()
        self.check_arguments(name, args, closing)
        return Call(name.text, tuple(args), span=(name.start, closing.end))

    def check_arguments(self, name: Token, args: list[Expr], closing: Token) -> None:
        if name.text == "today":
            if args:
                raise self.error(
                    args[0].span[0],  # type: ignore[index]
                    "不应有参数（today() 不接受参数）",
                    "today() takes no arguments",
                )  # type: ignore[index]
            return
        arg = args[0] if len(args) == 1 else None
        if name.text == "years_ago":
            if not (
                isinstance(arg, Literal)
                and arg.type == "number"
                and isinstance(arg.value, int)
                and 0 <= arg.value <= MAX_YEARS_AGO
            ):
                position = args[0].span[0] if args else closing.start  # type: ignore[index]
                raise self.error(
                    position,
                    f"应为一个 0 到 {MAX_YEARS_AGO} 的整数，例如 years_ago(80)",
                    f"years_ago() takes one whole number 0 … {MAX_YEARS_AGO}, e.g. years_ago(80)",
                )
            return
        if not (isinstance(arg, Literal) and arg.type == "string"):
            position = args[0].span[0] if args else closing.start  # type: ignore[index]
            raise self.error(
                position,
                "应为一个日期字符串，例如 date('2024-01-01')",
                "date() takes one date string, e.g. date('2024-01-01')",
            )
        if parse_iso_date(arg.value) is None:  # type: ignore[arg-type]
            raise self.error(
                arg.span[0],  # type: ignore[index]
                f"的日期 '{arg.value}' 无效（应为真实存在的日期，格式 YYYY-MM-DD）",
                f"invalid date '{arg.value}' (expected a real date written YYYY-MM-DD)",
            )


def parse(source: str) -> Expr:
    """Parse one expression; raises :class:`ExprSyntaxError` (and nothing else) on bad input.

    Results are cached: trees are immutable, and the same ``when`` text is parsed again for every
    case and report that evaluates it.
    """
    if not isinstance(source, str):
        raise TypeError(f"parse() needs a str, not {type(source).__name__}")
    if len(source) > _CACHED_LENGTH:
        return _Parser(source).parse()
    return _parse_cached(source)


_CACHED_LENGTH = 2000


@functools.lru_cache(maxsize=4096)
def _parse_cached(source: str) -> Expr:
    return _Parser(source).parse()
