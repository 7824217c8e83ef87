"""好差评 reports (standards §3 statistics, [PRACTICE] formulas) as aggregate queries.

Over the ratings *given* in the period, excluding those an upheld appeal removed (§3.10):

* 评价量, per level and channel;
* 好评率 = (L5 + L4 + L3) / all; 差评率 = (L2 + L1) / all;
* 差评整改率 = bad ratings whose rectification is closed / bad ratings;
* 平均整改时长 = average working days from opening to closing (stored when it closes);
* 实名差评回访率 = named bad ratings whose rater was reached when verifying / named bad ratings
  (target 100 %, §3.8);
* 主动评价率 = cases rated in the period / cases that ended in the period (and the same for 12345
  requests).

Each breakdown (department, window, staff, item) is one ``GROUP BY`` on the covering index
``rating_rated_cover``; Python only maps the few grouped ids to names.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Avg, Count, Q

from banshi.appeals.models import Appeal
from banshi.appeals.reports import Period, rate
from banshi.cases.models import Case
from banshi.cases.transitions import State as CaseState
from banshi.catalog.models import Department, ServiceItemVersion
from banshi.ratings.models import Channel, Level, Rating, Rectification, SubjectKind, Window

DIMENSIONS = {
    "department": ("department", "部门"),
    "window": ("window", "窗口"),
    "staff": ("staff", "工作人员"),
    "item": ("item", "事项"),
}
CLOSED = Rectification.State.CLOSED


def _ratings(p: Period):
    start, end = p.bounds()
    return Rating.objects.filter(rated_at__gte=start, rated_at__lt=end, excluded=False)


def _figures() -> dict:
    return {
        "n": Count("pk"),
        "good": Count("pk", filter=Q(level__gte=3)),
        "bad": Count("pk", filter=Q(is_bad=True)),
        "rectified": Count("pk", filter=Q(is_bad=True, rectification__state=CLOSED)),
        "avg_days": Avg("rectification__workdays", filter=Q(rectification__state=CLOSED)),
        "named_bad": Count("pk", filter=Q(is_bad=True, named=True)),
        "called": Count(
            "pk", filter=Q(is_bad=True, named=True, rectification__contacted_at__isnull=False)
        ),
    }


def _rates(row: dict) -> dict:
    row["good_rate"] = rate(row["good"], row["n"])
    row["bad_rate"] = rate(row["bad"], row["n"])
    row["rectify_rate"] = rate(row["rectified"], row["bad"])
    row["callback_rate"] = rate(row["called"], row["named_bad"])
    return row


def _labels(dimension: str, ids: list) -> dict:
    ids = [i for i in ids if i is not None]
    if dimension == "department":
        return dict(Department.objects.filter(pk__in=ids).values_list("pk", "name"))
    if dimension == "window":
        return {w.pk: f"{w.code} {w.name}" for w in Window.objects.filter(pk__in=ids)}
    if dimension == "staff":
        return {
            u.pk: (u.first_name or u.username) for u in get_user_model().objects.filter(pk__in=ids)
        }
    names = {}
    for item_id, name in (
        ServiceItemVersion.objects.filter(item_id__in=ids)
        .order_by("item_id", "-id")
        .values_list("item_id", "name")
    ):
        names.setdefault(item_id, name)
    return names


def breakdown(p: Period, dimension: str) -> list[dict]:
    field, _ = DIMENSIONS[dimension]
    rows = list(
        _ratings(p)
        .filter(**{f"{field}__isnull": False})
        .values(field)
        .annotate(**_figures())
        .order_by("-n")
    )
    labels = _labels(dimension, [row[field] for row in rows])
    return [_rates({**row, "label": labels.get(row[field], "?")}) for row in rows]


def ended_cases(p: Period) -> int:
    start, end = p.bounds()
    return Case.objects.filter(
        Q(closed_at__gte=start, closed_at__lt=end)
        | Q(state=CaseState.DECIDED_DENY, decided_at__gte=start, decided_at__lt=end)
    ).count()


def closed_appeals(p: Period) -> int:
    start, end = p.bounds()
    return Appeal.objects.filter(closed_at__gte=start, closed_at__lt=end).count()


def rating_report(p: Period) -> dict:
    ratings = _ratings(p)
    totals = _rates(ratings.aggregate(**_figures()))
    by_kind = dict(
        ratings.values_list("subject_kind").annotate(n=Count("pk")).values_list("subject_kind", "n")
    )
    cases = ended_cases(p)
    appeals = closed_appeals(p)
    totals["case_rating_rate"] = rate(by_kind.get(SubjectKind.CASE, 0), cases)
    totals["appeal_rating_rate"] = rate(by_kind.get(SubjectKind.APPEAL, 0), appeals)
    totals["ended_cases"] = cases
    totals["closed_appeals"] = appeals
    totals["visits"] = by_kind.get(SubjectKind.VISIT, 0)
    open_rectifications = Rectification.objects.exclude(
        state__in=[Rectification.State.CLOSED, Rectification.State.VOID]
    ).count()
    levels = dict(ratings.values_list("level").annotate(n=Count("pk")).values_list("level", "n"))
    channels = dict(
        ratings.values_list("channel").annotate(n=Count("pk")).values_list("channel", "n")
    )
    return {
        "period": p,
        "totals": totals,
        "open_rectifications": open_rectifications,
        "levels": [
            {"label": label, "level": value, "n": levels.get(value, 0)}
            for value, label in Level.choices
        ],
        "channels": [
            {"label": label, "n": channels.get(value, 0)}
            for value, label in Channel.choices
            if channels.get(value)
        ],
        "by_department": breakdown(p, "department"),
        "by_window": breakdown(p, "window"),
        "by_staff": breakdown(p, "staff"),
        "by_item": breakdown(p, "item"),
    }


HEADERS = [
    "名称",
    "评价量",
    "好评",
    "差评",
    "好评率",
    "差评率",
    "差评整改率",
    "平均整改时长(工作日)",
    "实名差评",
    "实名差评回访率",
]


def _row(row: dict) -> list:
    return [
        row["label"],
        row["n"],
        row["good"],
        row["bad"],
        row["good_rate"],
        row["bad_rate"],
        row["rectify_rate"],
        round(row["avg_days"], 1) if row["avg_days"] is not None else None,
        row["named_bad"],
        row["callback_rate"],
    ]


def excel_sheets(report: dict) -> list:
    t = report["totals"]
    p = report["period"]
    return [
        (
            "总体",
            ["指标", "数值"],
            [
                ["统计周期", p.label],
                ["评价量", t["n"]],
                ["好评", t["good"]],
                ["差评", t["bad"]],
                ["好评率", t["good_rate"]],
                ["差评率", t["bad_rate"]],
                ["差评整改率", t["rectify_rate"]],
                [
                    "平均整改时长(工作日)",
                    round(t["avg_days"], 1) if t["avg_days"] is not None else None,
                ],
                ["实名差评", t["named_bad"]],
                ["实名差评回访率", t["callback_rate"]],
                ["本期办结办件", t["ended_cases"]],
                ["办件主动评价率", t["case_rating_rate"]],
                ["本期办结诉求", t["closed_appeals"]],
                ["诉求主动评价率", t["appeal_rating_rate"]],
                ["窗口现场评价", t["visits"]],
            ],
        ),
        ("评价等级", ["等级", "评价量"], [[r["label"], r["n"]] for r in report["levels"]]),
        ("按部门", HEADERS, [_row(r) for r in report["by_department"]]),
        ("按窗口", HEADERS, [_row(r) for r in report["by_window"]]),
        ("按工作人员", HEADERS, [_row(r) for r in report["by_staff"]]),
        ("按事项", HEADERS, [_row(r) for r in report["by_item"]]),
    ]


def public_figures(p: Period) -> dict:
    """§3.11: evaluation results and rectification status are published (no rater, no staff)."""
    report = rating_report(p)
    recent_bad = list(
        Rectification.objects.filter(
            rating__rated_at__gte=p.bounds()[0], rating__rated_at__lt=p.bounds()[1]
        )
        .select_related("department", "rating")
        .order_by("-opened_at")[:30]
    )
    return {
        "period": p,
        "totals": report["totals"],
        "levels": report["levels"],
        "by_department": report["by_department"],
        "bad": recent_bad,
    }
