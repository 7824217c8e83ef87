"""12345 weekly and monthly reports (MISSION M-H1: 周报、月报), as aggregate queries.

Every figure is a ``GROUP BY`` over the tickets *received* in the period, read through the covering
index ``appeal_received_cover`` (``received_at`` with the grouped columns included, PostgreSQL), so
a month out of millions of tickets is an index range scan, never a full scan, and never a Python
loop over rows. Python only turns the few aggregated rows into rates and labels. Counts are of
``received_at`` (never null, and in the index) rather than of the primary key, so PostgreSQL can
answer from the index alone (index-only scan) once the table is vacuumed.

Definitions (the cohort is "received in the period"):

* 按期办结率 on-time rate = replied on or before the stored deadline / replied;
* 退单率 return rate = tickets returned at least once / tickets dispatched (per department: returned
  assignments / assignments dispatched to it in the period);
* 满意率 satisfaction = (满意 + 基本满意) / tickets called back and reached;
* 热点 hot topics = the most frequent categories, places (街道) and category × place pairs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.db.models.functions import TruncDate

from banshi.appeals.models import Appeal, AppealType, Assignment, Category, Channel, Satisfaction
from banshi.catalog.models import Department
from banshi.core import clock

REACHED = [Satisfaction.SATISFIED, Satisfaction.BASIC, Satisfaction.UNSATISFIED]
GOOD = [Satisfaction.SATISFIED, Satisfaction.BASIC]
TOP = 10


@dataclass(frozen=True)
class Period:
    kind: str  # "week" | "month"
    start: dt.date
    end: dt.date  # exclusive

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{self.start.year}年{self.start.month}月"
        last = self.end - dt.timedelta(days=1)
        return f"{self.start:%Y-%m-%d} 至 {last:%Y-%m-%d}"

    @property
    def previous(self) -> Period:
        return period(self.kind, self.start - dt.timedelta(days=1))

    @property
    def next(self) -> Period:
        return period(self.kind, self.end)

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        zone = clock.zone()
        return (
            dt.datetime.combine(self.start, dt.time.min, tzinfo=zone),
            dt.datetime.combine(self.end, dt.time.min, tzinfo=zone),
        )

    @property
    def key(self) -> str:
        return f"{self.start:%Y-%m}" if self.kind == "month" else f"{self.start:%Y-%m-%d}"


def period(kind: str, anchor: dt.date) -> Period:
    """The week (Monday to Sunday) or calendar month containing ``anchor``."""
    if kind == "week":
        start = anchor - dt.timedelta(days=anchor.weekday())
        return Period("week", start, start + dt.timedelta(days=7))
    start = anchor.replace(day=1)
    end = (start + dt.timedelta(days=32)).replace(day=1)
    return Period("month", start, end)


def parse_period(kind: str | None, value: str | None, today: dt.date | None = None) -> Period:
    """From query parameters (``kind`` week|month, ``value`` 2025-03 or 2025-03-03); bad values
    fall back to the current period."""
    today = today or clock.today()
    kind = kind if kind in ("week", "month") else "month"
    anchor = today
    if value:
        try:
            anchor = (
                dt.date.fromisoformat(value + "-01")
                if len(value) == 7
                else dt.date.fromisoformat(value)
            )
        except ValueError:
            anchor = today
    return period(kind, anchor)


def rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _received(p: Period):
    start, end = p.bounds()
    return Appeal.objects.filter(received_at__gte=start, received_at__lt=end)


def totals_query(p: Period):
    """The headline figures as one aggregate (used by the report and the benchmark's EXPLAIN)."""
    return _received(p).aggregate(
        total=Count("received_at"),
        dispatched=Count("received_at", filter=Q(lead_department__isnull=False)),
        replied=Count("received_at", filter=Q(on_time__isnull=False)),
        on_time=Count("received_at", filter=Q(on_time=True)),
        returned=Count("received_at", filter=Q(returned_count__gt=0)),
        reached=Count("received_at", filter=Q(satisfaction__in=REACHED)),
        satisfied=Count("received_at", filter=Q(satisfaction__in=GOOD)),
        open=Count(
            "pk", filter=~Q(state__in=["closed", "archived", "answered_direct", "not_accepted"])
        ),
    )


def department_query(p: Period):
    """Per lead department: volume, replies, on time, reached and satisfied callbacks (the widest
    GROUP BY of the report; the benchmark prints its plan)."""
    return (
        _received(p)
        .filter(lead_department__isnull=False)
        .values("lead_department")
        .annotate(
            n=Count("received_at"),
            replied=Count("received_at", filter=Q(on_time__isnull=False)),
            on_time=Count("received_at", filter=Q(on_time=True)),
            reached=Count("received_at", filter=Q(satisfaction__in=REACHED)),
            satisfied=Count("received_at", filter=Q(satisfaction__in=GOOD)),
        )
        .order_by()
    )


def appeal_report(p: Period) -> dict:
    """Every figure of the weekly / monthly report for ``p``."""
    received = _received(p)
    totals = totals_query(p)
    totals["on_time_rate"] = rate(totals["on_time"], totals["replied"])
    totals["return_rate"] = rate(totals["returned"], totals["dispatched"])
    totals["satisfaction_rate"] = rate(totals["satisfied"], totals["reached"])

    type_labels = dict(AppealType.choices)
    by_type = [
        {
            "key": row["appeal_type"],
            "label": type_labels.get(row["appeal_type"], row["appeal_type"]),
            "n": row["n"],
        }
        for row in received.values("appeal_type").annotate(n=Count("received_at")).order_by("-n")
    ]
    channel_labels = dict(Channel.choices)
    by_channel = [
        {
            "key": row["channel"],
            "label": channel_labels.get(row["channel"], row["channel"]),
            "n": row["n"],
        }
        for row in received.values("channel").annotate(n=Count("received_at")).order_by("-n")
    ]

    categories = {c.pk: c for c in Category.objects.select_related("parent")}
    leaf_counts = list(received.values("category").annotate(n=Count("received_at")).order_by("-n"))
    top_level: dict[str, int] = {}
    for row in leaf_counts:  # a few dozen aggregated rows, not tickets
        category = categories.get(row["category"])
        name = (category.parent or category).name if category else "?"
        top_level[name] = top_level.get(name, 0) + row["n"]
    by_category = [
        {"label": name, "n": n} for name, n in sorted(top_level.items(), key=lambda kv: -kv[1])
    ]
    hot_categories = [
        {
            "label": categories[row["category"]].full_name
            if row["category"] in categories
            else "?",
            "n": row["n"],
        }
        for row in leaf_counts[:TOP]
    ]
    hot_areas = [
        {"label": row["area"] or "(未填写)", "n": row["n"]}
        for row in received.values("area")
        .annotate(n=Count("received_at"))
        .order_by("-n", "area")[:TOP]
    ]
    hot_pairs = [
        {
            "label": f"{row['area'] or '(未填写)'} · "
            + (categories[row["category"]].name if row["category"] in categories else "?"),
            "n": row["n"],
        }
        for row in received.exclude(area="")
        .values("area", "category")
        .annotate(n=Count("received_at"))
        .order_by("-n", "area")[:TOP]
    ]

    departments = dict(Department.objects.values_list("pk", "name"))
    start, end = p.bounds()
    returns = {
        row["department"]: row
        for row in Assignment.objects.filter(dispatched_at__gte=start, dispatched_at__lt=end)
        .values("department")
        .annotate(
            assigned=Count("dispatched_at"),
            returned=Count("dispatched_at", filter=Q(status=Assignment.Status.RETURNED)),
        )
    }
    leads = {row["lead_department"]: row for row in department_query(p)}
    by_department = []
    # a department that only returned tickets is listed too (its return rate is the point)
    for department_id in set(leads) | set(returns):
        lead = leads.get(department_id, {})
        assigned = returns.get(department_id, {})
        by_department.append(
            {
                "label": departments.get(department_id, "?"),
                "n": lead.get("n", 0),
                "replied": lead.get("replied", 0),
                "on_time_rate": rate(lead.get("on_time", 0), lead.get("replied", 0)),
                "assigned": assigned.get("assigned", 0),
                "returned": assigned.get("returned", 0),
                "return_rate": rate(assigned.get("returned", 0), assigned.get("assigned", 0)),
                "satisfaction_rate": rate(lead.get("satisfied", 0), lead.get("reached", 0)),
            }
        )
    by_department.sort(key=lambda row: (-row["n"], -row["assigned"], row["label"]))

    zone = clock.zone()
    per_day = {
        row["day"]: row["n"]
        for row in received.annotate(day=TruncDate("received_at", tzinfo=zone))
        .values("day")
        .annotate(n=Count("received_at"))
    }
    days = []
    day = p.start
    while day < p.end:
        days.append({"label": f"{day:%m-%d}", "n": per_day.get(day, 0)})
        day += dt.timedelta(days=1)

    return {
        "period": p,
        "totals": totals,
        "by_type": by_type,
        "by_channel": by_channel,
        "by_category": by_category,
        "by_department": by_department,
        "hot_categories": hot_categories,
        "hot_areas": hot_areas,
        "hot_pairs": hot_pairs,
        "per_day": days,
    }


def excel_sheets(report: dict) -> list[tuple[str, list[str], list[list]]]:
    """The report as sheets (title, headers, rows) for :func:`banshi.appeals.excel.workbook`."""
    totals = report["totals"]
    p = report["period"]
    return [
        (
            "总体",
            ["指标", "数值"],
            [
                ["统计周期", p.label],
                ["受理量", totals["total"]],
                ["派单量", totals["dispatched"]],
                ["已答复", totals["replied"]],
                ["按期办结", totals["on_time"]],
                ["按期办结率", totals["on_time_rate"]],
                ["退单工单", totals["returned"]],
                ["退单率", totals["return_rate"]],
                ["回访(联系上)", totals["reached"]],
                ["满意率", totals["satisfaction_rate"]],
                ["在办", totals["open"]],
            ],
        ),
        ("按类型", ["类型", "受理量"], [[r["label"], r["n"]] for r in report["by_type"]]),
        ("按渠道", ["渠道", "受理量"], [[r["label"], r["n"]] for r in report["by_channel"]]),
        ("按分类", ["分类", "受理量"], [[r["label"], r["n"]] for r in report["by_category"]]),
        (
            "按单位",
            ["承办单位", "主办量", "已答复", "按期办结率", "派单数", "退单数", "退单率", "满意率"],
            [
                [
                    r["label"],
                    r["n"],
                    r["replied"],
                    r["on_time_rate"],
                    r["assigned"],
                    r["returned"],
                    r["return_rate"],
                    r["satisfaction_rate"],
                ]
                for r in report["by_department"]
            ],
        ),
        (
            "热点",
            ["热点分类", "量", "热点区域", "量", "区域·分类", "量"],
            [
                [
                    *(_pair(report["hot_categories"], i)),
                    *(_pair(report["hot_areas"], i)),
                    *(_pair(report["hot_pairs"], i)),
                ]
                for i in range(
                    max(
                        len(report["hot_categories"]),
                        len(report["hot_areas"]),
                        len(report["hot_pairs"]),
                        0,
                    )
                )
            ],
        ),
        ("每日受理量", ["日期", "受理量"], [[r["label"], r["n"]] for r in report["per_day"]]),
    ]


def _pair(rows: list[dict], index: int) -> list:
    return [rows[index]["label"], rows[index]["n"]] if index < len(rows) else ["", ""]


def public_figures(p: Period) -> dict:
    """What the 12345 centre publishes for a period (§4.3 满意度测评, §3.11 公开): volumes by type
    and category, on-time and satisfaction rates, the hot topics. No ticket, no person."""
    report = appeal_report(p)
    return {
        key: report[key]
        for key in ("period", "totals", "by_type", "by_category", "hot_categories", "by_department")
    }
