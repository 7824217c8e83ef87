"""Python evaluation of a policy for one subject (an enterprise or a person): which conditions
hold, and why not, in words.

:func:`explain` evaluates the same stored ASTs as the matching engine compiles to SQL, with
:func:`banshi.expr.evaluate` (SQL's three-valued logic: a missing value is unknown, and an unknown
condition is never met). A property test checks that the two agree on random conditions and random
portraits. It is also what the enterprise page uses to say what is missing ("差一项：…，您的注册资本
为 300.00 万元") and what computes a grant's amount from the benefit formula.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from banshi.core import clock
from banshi.expr import evaluate, from_json, names
from banshi.people.models import Person
from banshi.policies.attributes import ANY_BY_CODE, Attribute, SubjectKind, format_value, registry
from banshi.policies.conditions import money
from banshi.policies.models import BenefitKind, EnterprisePortrait, PersonPortrait, PolicyVersion


def portrait_values(
    portrait: EnterprisePortrait | PersonPortrait | None, kind: str = SubjectKind.ENTERPRISE
) -> dict[str, Any]:
    """Attribute code → value (None when unknown) for one portrait row (all unknown without one);
    a person's portrait gives the person attributes whatever ``kind`` says."""
    if isinstance(portrait, PersonPortrait):
        kind = SubjectKind.PERSON
    attributes = registry(kind).attributes
    if portrait is None:
        return {attribute.code: None for attribute in attributes}
    return {attribute.code: getattr(portrait, attribute.column) for attribute in attributes}


def values_for(subject) -> dict[str, Any]:
    """The portrait values of an enterprise or a person."""
    if isinstance(subject, Person):
        portrait = PersonPortrait.objects.filter(person=subject).first()
        return portrait_values(portrait, SubjectKind.PERSON)
    portrait = EnterprisePortrait.objects.filter(enterprise=subject).first()
    return portrait_values(portrait)


@dataclass
class Fact:
    attribute: Attribute
    value: Any

    @property
    def text(self) -> str:
        return f"{self.attribute.label}：{format_value(self.attribute, self.value)}"


@dataclass
class ConditionResult:
    index: int
    name: str
    source: str
    value: bool | None  # True, False, or None (unknown)
    facts: list[Fact] = field(default_factory=list)
    hint: str = ""

    @property
    def held(self) -> bool:
        return self.value is True

    @property
    def missing(self) -> list[Fact]:
        return [fact for fact in self.facts if fact.value is None]

    @property
    def words(self) -> str:
        """The condition's outcome in words, for the enterprise."""
        if self.value is True:
            return f"符合：{self.name}"
        if self.value is None:
            labels = "、".join(fact.attribute.label for fact in self.missing) or "相关数据"
            return f"缺少数据：{self.name}（平台没有您的{labels}，请补充或联系数据提供部门）"
        facts = "；".join(fact.text for fact in self.facts)
        return f"不符合：{self.name}" + (f"（您的{facts}）" if facts else "")


@dataclass
class Explanation:
    version: PolicyVersion
    results: list[ConditionResult]
    amount: Decimal | None

    @property
    def held_mask(self) -> int:
        return sum(1 << r.index for r in self.results if r.value is True)

    @property
    def unknown_mask(self) -> int:
        return sum(1 << r.index for r in self.results if r.value is None)

    @property
    def not_held(self) -> list[ConditionResult]:
        return [r for r in self.results if r.value is not True]

    @property
    def matched(self) -> bool:
        return not self.not_held

    @property
    def near_miss(self) -> bool:
        return len(self.results) >= 2 and len(self.not_held) == 1

    @property
    def missed(self) -> ConditionResult | None:
        return self.not_held[0] if self.near_miss else None


def evaluate_conditions(
    conditions: list[dict[str, Any]], values: dict[str, Any], today: date
) -> list[ConditionResult]:
    results = []
    for index, condition in enumerate(conditions):
        node = from_json(condition["ast"])
        value = evaluate(node, values, today=today)
        facts = [
            Fact(ANY_BY_CODE[name], values.get(name))
            for name in sorted(names(node))
            if name in ANY_BY_CODE
        ]
        results.append(
            ConditionResult(
                index,
                condition["name"],
                condition["source"],
                value if value is None else bool(value),
                facts,
                condition.get("hint", ""),
            )
        )
    return results


def benefit_amount(version: PolicyVersion, values: dict[str, Any], today: date) -> Decimal | None:
    """The amount (元) the benefit gives this enterprise; None when it is not money or unknown."""
    if version.benefit_kind == BenefitKind.FIXED:
        return money(version.benefit_amount)
    if version.benefit_kind == BenefitKind.EXPRESSION and version.benefit_ast:
        value = evaluate(from_json(version.benefit_ast), values, today=today)
        if value is None:
            return None
        amount = Decimal(value)
        if version.benefit_cap is not None:
            amount = min(amount, version.benefit_cap)
        return money(amount)
    return None


def explain(
    version: PolicyVersion,
    subject=None,
    *,
    values: dict[str, Any] | None = None,
    today: date | None = None,
) -> Explanation:
    """Evaluate every condition of ``version`` for one enterprise or person (or given ``values``)."""
    day = today or clock.today()
    if values is None:
        values = values_for(subject)
    results = evaluate_conditions(version.conditions, values, day)
    return Explanation(version, results, benefit_amount(version, values, day))
