"""Read queries for the policy pages: the public list, one policy, an enterprise's page, staff lists."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet

from banshi.policies import access
from banshi.policies.attributes import BY_CODE, format_value
from banshi.policies.explain import Explanation, explain, portrait_values, values_for
from banshi.policies.models import (
    EnterprisePortrait,
    Grant,
    Match,
    MatchRun,
    Notice,
    Policy,
    PolicyEvent,
    PolicyMode,
    PolicyOffer,
    PolicyStatus,
    PolicyVersion,
    PortraitImport,
    PortraitValueSource,
    VersionStatus,
)
from banshi.policies.services import visible_versions_q


def public_versions(
    today: dt.date, *, query: str = "", mode: str = "", department: str = ""
) -> QuerySet:
    """Published versions in force, for the public list (政策库)."""
    versions = (
        PolicyVersion.objects.filter(visible_versions_q(today))
        .select_related("policy", "policy__department")
        .order_by("-published_at", "policy__code")
    )
    if query:
        versions = versions.filter(
            Q(title__icontains=query) | Q(summary__icontains=query) | Q(policy__code__iexact=query)
        )
    if mode in PolicyMode.values:
        versions = versions.filter(mode=mode)
    if department:
        versions = versions.filter(policy__department__code=department)
    return versions


def policy_page(code: str) -> dict[str, Any] | None:
    """One policy for the public: the version in force (or the last one), history, conditions."""
    policy = Policy.objects.select_related("department").filter(code=code).first()
    if policy is None or policy.status == PolicyStatus.DRAFT:
        return None
    versions = list(policy.versions.exclude(status=VersionStatus.DRAFT).order_by("-number"))
    current = next((v for v in versions if v.status == VersionStatus.PUBLISHED), None)
    shown = current or (versions[0] if versions else None)
    if shown is None:
        return None
    return {
        "policy": policy,
        "version": shown,
        "current": current,
        "versions": versions,
        "events": list(policy.events.exclude(action=PolicyEvent.Action.SAVED).order_by("at", "pk")),
        "conditions": describe_conditions(shown),
    }


def describe_conditions(version: PolicyVersion) -> list[dict[str, Any]]:
    """Each condition with the attributes it reads (label, unit, source) for people to read."""
    from banshi.expr import from_json, names

    result = []
    for index, condition in enumerate(version.conditions):
        used = sorted(names(from_json(condition["ast"])))
        result.append(
            {
                "index": index,
                "name": condition["name"],
                "source": condition["source"],
                "hint": condition.get("hint", ""),
                "attributes": [BY_CODE[code] for code in used if code in BY_CODE],
            }
        )
    return result


# ------------------------------------------------------------------------------ enterprise page
@dataclass
class MineItem:
    version: PolicyVersion
    match: Match | None = None
    explanation: Explanation | None = None
    grant: Grant | None = None
    offer: PolicyOffer | None = None

    @property
    def amount(self) -> Decimal | None:
        if self.grant is not None:
            return self.grant.amount
        if self.offer is not None and self.offer.amount is not None:
            return self.offer.amount
        return self.explanation.amount if self.explanation else None


@dataclass
class MinePage:
    enterprise: Any
    enterprises: list
    enjoyed: list[Grant] = field(default_factory=list)
    waiting: list[MineItem] = field(default_factory=list)  # 免申即享: met, awaiting confirmation
    may_apply: list[MineItem] = field(default_factory=list)  # 即申即享 and 申报
    applied: list[PolicyOffer] = field(default_factory=list)
    nearly: list[MineItem] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    unread: int = 0
    portrait: list[dict[str, Any]] = field(default_factory=list)


def current_matches(enterprise, today: dt.date) -> list[Match]:
    """The enterprise's rows in every policy's current results (policies in force only).

    The join follows each version's ``current_run``, so the database looks the rows up by primary
    key (run, version, enterprise): a thousand probes, not a scan of the result table.
    """
    return list(
        Match.objects.filter(enterprise=enterprise, run_id=F("policy_version__current_run_id"))
        .filter(
            policy_version__status=VersionStatus.PUBLISHED,
        )
        .filter(
            Q(policy_version__valid_from__isnull=True) | Q(policy_version__valid_from__lte=today)
        )
        .filter(
            Q(policy_version__valid_until__isnull=True) | Q(policy_version__valid_until__gte=today)
        )
        .select_related("policy_version", "policy_version__policy", "policy_version__service_item")
    )


def mine_page(user, enterprise_id: int | None, today: dt.date) -> MinePage | None:
    enterprises = access.enterprises_of(user)
    if not enterprises:
        return None
    chosen = next((e for e in enterprises if e.pk == enterprise_id), enterprises[0])
    page = MinePage(enterprise=chosen, enterprises=enterprises)
    grants = list(
        Grant.objects.filter(enterprise=chosen)
        .select_related("policy_version", "policy")
        .order_by("-granted_on")
    )
    page.enjoyed = grants
    granted_policies = {grant.policy_id for grant in grants}
    offers = {
        offer.policy_version_id: offer
        for offer in PolicyOffer.objects.filter(enterprise=chosen).select_related(
            "policy_version", "policy_version__policy"
        )
    }
    page.applied = [
        o
        for o in offers.values()
        if o.status in (PolicyOffer.Status.SUBMITTED, PolicyOffer.Status.DECLINED)
    ]
    values = values_for(chosen)
    for match in current_matches(chosen, today):
        version = match.policy_version
        if version.policy_id in granted_policies:
            continue
        item = MineItem(
            version,
            match,
            explain(version, values=values, today=today),
            offer=offers.get(version.pk),
        )
        if match.matched:
            if version.mode == PolicyMode.AUTO_GRANT:
                page.waiting.append(item)
            elif item.offer is None or item.offer.status == PolicyOffer.Status.OFFERED:
                page.may_apply.append(item)
        else:
            page.nearly.append(item)
    page.notices = list(Notice.objects.filter(enterprise=chosen)[:20])
    page.unread = Notice.objects.filter(enterprise=chosen, read_at__isnull=True).count()
    page.portrait = portrait_facts(chosen)
    return page


def portrait_facts(enterprise) -> list[dict[str, Any]]:
    """The enterprise's portrait as the enterprise sees it: value, source, date."""
    portrait = EnterprisePortrait.objects.filter(enterprise=enterprise).first()
    values = portrait_values(portrait)
    sources = {
        s.attribute: s
        for s in PortraitValueSource.objects.filter(enterprise=enterprise).select_related(
            "department"
        )
    }
    return [
        {
            "attribute": BY_CODE[code],
            "value": format_value(BY_CODE[code], value),
            "known": value is not None,
            "source": sources.get(code),
        }
        for code, value in values.items()
    ]


# ------------------------------------------------------------------------------ staff pages
def staff_versions(user) -> QuerySet:
    """Every policy's newest version the user may work with (writers: their departments;
    delivery staff: their department's published ones)."""
    from banshi.people.permissions import department_q

    versions = PolicyVersion.objects.select_related("policy", "policy__department", "current_run")
    scope = department_q(user, "policy__department__code")
    if not access.may_write(user):
        versions = versions.exclude(status=VersionStatus.DRAFT)
    return versions.filter(scope).order_by("policy__code", "-number")


def staff_policies(user) -> list[dict[str, Any]]:
    seen: dict[int, dict[str, Any]] = {}
    for version in staff_versions(user):
        row = seen.setdefault(version.policy_id, {"policy": version.policy, "versions": []})
        row["versions"].append(version)
    rows = list(seen.values())
    for row in rows:
        row["current"] = next(
            (v for v in row["versions"] if v.status == VersionStatus.PUBLISHED), None
        )
        row["draft"] = next((v for v in row["versions"] if v.status == VersionStatus.DRAFT), None)
    return rows


def result_counts(version: PolicyVersion) -> dict[str, int]:
    """How many met all conditions and how many missed one, in the current results."""
    if version.current_run_id is None:
        return {"matched": 0, "near": 0}
    rows = Match.objects.filter(run_id=version.current_run_id, policy_version=version).aggregate(
        total=Count("enterprise"), matched=Count("enterprise", filter=Q(matched=True))
    )
    total, matched = rows["total"] or 0, rows["matched"] or 0
    return {"matched": matched, "near": total - matched}


def missed_breakdown(version: PolicyVersion) -> list[dict[str, Any]]:
    """Near misses by the condition they missed (which clause keeps most enterprises out)."""
    if version.current_run_id is None:
        return []
    counts = {
        row["missed"]: row["n"]
        for row in Match.objects.filter(
            run_id=version.current_run_id, policy_version=version, matched=False
        )
        .values("missed")
        .annotate(n=Count("enterprise"))
        .order_by()
    }
    return [
        {"index": index, "name": condition["name"], "count": counts.get(index, 0)}
        for index, condition in enumerate(version.conditions)
    ]


def delivery_rows(
    version: PolicyVersion, *, offset: int, limit: int, today: dt.date
) -> list[dict[str, Any]]:
    """One page of the current list of enterprises that meet every condition, with amounts."""
    if version.current_run_id is None:
        return []
    matches = list(
        Match.objects.filter(run_id=version.current_run_id, policy_version=version, matched=True)
        .select_related("enterprise")
        .order_by("enterprise_id")[offset : offset + limit]
    )
    ids = [m.enterprise_id for m in matches]
    portraits = {p.pk: p for p in EnterprisePortrait.objects.filter(pk__in=ids)}
    granted = set(
        Grant.objects.filter(policy_id=version.policy_id, enterprise_id__in=ids).values_list(
            "enterprise_id", flat=True
        )
    )
    return [
        {
            "enterprise": m.enterprise,
            "amount": explain(
                version, values=portrait_values(portraits.get(m.enterprise_id)), today=today
            ).amount,
            "granted": m.enterprise_id in granted,
        }
        for m in matches
    ]


def submitted_offers(version: PolicyVersion) -> QuerySet:
    return PolicyOffer.objects.filter(
        policy_version=version, status=PolicyOffer.Status.SUBMITTED
    ).select_related("enterprise")


def recent_runs(limit: int = 20) -> list[MatchRun]:
    return list(MatchRun.objects.order_by("-pk")[:limit])


def recent_imports(user, limit: int = 20) -> list[PortraitImport]:
    from banshi.people.permissions import department_q

    return list(
        PortraitImport.objects.filter(department_q(user, "department__code")).select_related(
            "department"
        )[:limit]
    )
