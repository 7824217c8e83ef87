"""The reduction report (压减情况): what each bundle saves the applicant, from the catalogue alone.

DESIGN §4 "Reduction report conventions (contract)" fixes the keys and definitions; this module only
turns a compiled :class:`~banshi.catalog.compiler.Plan` into that shape, checks it against the
targets, and renders it. Every number comes from the Plan (``Plan.reduction``), so the report cannot
drift from what the applicant is actually shown. Pure: no Django import.

Without answers every ``when`` counts as true (the largest case, ``assume_all``); with answers —
even an empty mapping — the expressions are evaluated and unanswered conditions are false.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from banshi.catalog.compiler import Measure, Plan, compile_plan
from banshi.catalog.schema import Catalogue

# Targets for every bundle (郑港〔2025〕1号, shared/seeds/000: "50%以上表单字段免填写、申请材料压减60%以上、
# 办理时限压缩70%以上、办理环节压缩80%以上").
TARGET_NO_TYPING_RATE = 0.50  # 表单字段免填写 ≥ 50%
TARGET_MATERIALS_REDUCTION = 0.60  # 申请材料压减 ≥ 60%
TARGET_DAYS_REDUCTION = 0.70  # 办理时限压缩 ≥ 70%
TARGET_STEPS_REDUCTION = 0.80  # 办理环节压缩 ≥ 80%

# target name -> (report key, figure inside it, threshold)
TARGETS: dict[str, tuple[str, str, float]] = {
    "fields": ("fields", "no_typing_rate", TARGET_NO_TYPING_RATE),
    "materials": ("materials", "reduction", TARGET_MATERIALS_REDUCTION),
    "days": ("days", "reduction", TARGET_DAYS_REDUCTION),
    "steps": ("steps", "reduction", TARGET_STEPS_REDUCTION),
}

# Rates are unrounded floats: 1 − 2/10 may land a hair under 0.8. A bundle exactly on a target meets it.
_TOLERANCE = 1e-9


def reduction(
    catalogue: Catalogue, bundle_code: str, answers: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """One bundle's report entry: ``code, name, items, fields, materials, days, steps, visits``.

    ``answers=None`` assumes every ``when`` true; otherwise the answers are evaluated.
    Raises :class:`~banshi.catalog.compiler.UnknownCodeError` (a KeyError) for an unknown code.
    """
    plan = compile_plan(catalogue, bundle_code, answers, assume_all=answers is None)
    return entry_from_plan(plan)


def report(
    catalogue: Catalogue,
    bundle_codes: Iterable[str] | None = None,
    answers: Mapping[str, Any] | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """``{"bundles": [entry, …]}`` for the given codes, or every bundle in catalogue order."""
    codes = list(catalogue.bundles) if bundle_codes is None else list(bundle_codes)
    return {"bundles": [reduction(catalogue, code, answers) for code in codes]}


def entry_from_plan(plan: Plan) -> dict[str, Any]:
    """The contract's JSON shape of one Plan's reduction figures (floats unrounded)."""
    figures = plan.reduction
    return {
        "code": plan.code,
        "name": plan.name,
        "items": list(plan.item_codes),
        "fields": {
            "before": figures.fields.before,
            "after": figures.fields.after,
            "prefilled": figures.fields.prefilled,
            "no_typing_rate": figures.fields.no_typing_rate,
            "reduction": figures.fields.reduction,
        },
        "materials": _measure(figures.materials),
        "days": _measure(figures.days),
        "steps": _measure(figures.steps),
        "visits": _measure(figures.visits),
    }


def _measure(measure: Measure) -> dict[str, Any]:
    return {"before": measure.before, "after": measure.after, "reduction": measure.reduction}


def meets_targets(entry: Mapping[str, Any]) -> dict[str, bool]:
    """Which of the four targets (免填写, 材料, 时限, 环节) one report entry reaches."""
    return {
        name: entry[key][figure] >= threshold - _TOLERANCE
        for name, (key, figure, threshold) in TARGETS.items()
    }


# ---------------------------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------------------------

_HEADERS = (
    "code",
    "name",
    "fields no-typing",
    "materials",
    "days",
    "steps",
    "visits",
    f"fields≥{TARGET_NO_TYPING_RATE:.0%}",
    f"materials−{TARGET_MATERIALS_REDUCTION:.0%}",
    f"days−{TARGET_DAYS_REDUCTION:.0%}",
    f"steps−{TARGET_STEPS_REDUCTION:.0%}",
)
_NUMERIC_COLUMNS = frozenset(range(2, 7))


def render_table(report_data: Mapping[str, Any]) -> str:
    """A plain-text table for the terminal, one row per bundle, then how many meet each target.

    Column widths count CJK characters as two cells, so Chinese names line up.
    """
    rows = [_HEADERS, *(_row(entry) for entry in report_data["bundles"])]
    widths = [max(_display_width(row[column]) for row in rows) for column in range(len(_HEADERS))]
    lines = [_format_row(row, widths) for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    lines.append(_summary(report_data["bundles"]))
    return "\n".join(lines) + "\n"


def render_markdown(report_data: Mapping[str, Any]) -> str:
    """The same table in Markdown (for the README), followed by the summary line."""
    rows = [_row(entry) for entry in report_data["bundles"]]
    alignment = [
        "---:" if column in _NUMERIC_COLUMNS else ":---" for column in range(len(_HEADERS))
    ]
    alignment[7:] = [":---:"] * (len(_HEADERS) - 7)
    lines = [_markdown_row(_HEADERS), _markdown_row(alignment)]
    lines.extend(_markdown_row(row) for row in rows)
    lines.extend(["", _summary(report_data["bundles"])])
    return "\n".join(lines) + "\n"


def _row(entry: Mapping[str, Any]) -> tuple[str, ...]:
    met = meets_targets(entry)
    return (
        entry["code"],
        entry["name"],
        _percent(entry["fields"]["no_typing_rate"]),
        _before_after(entry["materials"]),
        _before_after(entry["days"]),
        _before_after(entry["steps"]),
        _before_after(entry["visits"]),
        *("✓" if met[name] else "✗" for name in TARGETS),
    )


def _summary(entries: Sequence[Mapping[str, Any]]) -> str:
    """How many bundles meet each target, e.g. ``meets targets (达标): fields 3/5, …``."""
    met = [meets_targets(entry) for entry in entries]
    counts = ", ".join(
        f"{name} {sum(1 for result in met if result[name])}/{len(entries)}" for name in TARGETS
    )
    return f"meets targets (达标): {counts}"


def _percent(rate: float) -> str:
    return f"{rate * 100:.1f}%"


def _before_after(figures: Mapping[str, Any]) -> str:
    """Before→after with the change, e.g. ``12→4 (−66.7%)``.

    A rise shows as "+x%", so a bundle that adds work is not hidden; nothing before shows "—"
    (the contract's reduction 0 there is not a measured 0%).
    """
    rate = figures["reduction"]
    if not figures["before"]:
        change = "—"
    elif rate > 0:
        change = f"−{_percent(rate)}"
    elif rate < 0:
        change = f"+{_percent(-rate)}"
    else:
        change = _percent(0.0)
    return f"{figures['before']}→{figures['after']} ({change})"


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _format_row(row: Sequence[str], widths: Sequence[int]) -> str:
    cells = []
    for column, (text, width) in enumerate(zip(row, widths, strict=True)):
        padding = " " * (width - _display_width(text))
        cells.append(padding + text if column in _NUMERIC_COLUMNS else text + padding)
    return "  ".join(cells).rstrip()


def _markdown_row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"
