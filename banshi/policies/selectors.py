"""Read queries for the policy pages: the public list, one policy, an enterprise's or a person's
page, staff lists. Person policies read the person tables through the engine's
:class:`~banshi.policies.engine.Subjects` descriptor, so each query is written once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import F, Q, QuerySet

from banshi.people.models import Person
from banshi.policies import access
from banshi.policies.attributes import ANY_BY_CODE, format_value
from banshi.policies.engine import (
    ENTERPRISES,
    PERSONS,
    Subjects,
    current_near_misses,
    published_in_force,
    subjects_of,
)
from banshi.policies.explain import Explanation, explain, portrait_values, values_for
from banshi.policies.models import (
    Grant,
    Match,
    MatchRun,
    MatchRunPolicy,
    Notice,
    Policy,
    PolicyEvent,
    PolicyMode,
    PolicyOffer,
    PolicyStatus,
    PolicyVersion,
    PortraitImport,
    VersionStatus,
)
from banshi.policies.services import SOURCE_MODELS, visible_versions_q


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
                "attributes": [ANY_BY_CODE[code] for code in used if code in ANY_BY_CODE],
            }
        )
    return result


# ------------------------------------------------------------------------------ enterprise page
@dataclass
class MineItem:
    version: PolicyVersion
    match: Match | None = None  # the stored match (None for a near miss)
    explanation: Explanation | None = None
    missed: int | None = None  # a near miss: the index of the condition stored as missed
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
    enterprise: Any  # the enterprise shown, or None on the person's own page
    enterprises: list
    person: Any = None  # the person shown (个人), or None on an enterprise's page
    enjoyed: list[Grant] = field(default_factory=list)
    waiting: list[MineItem] = field(default_factory=list)  # 免申即享: met, awaiting confirmation
    may_apply: list[MineItem] = field(default_factory=list)  # 即申即享 and 申报
    applied: list[PolicyOffer] = field(default_factory=list)
    nearly: list[MineItem] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    unread: int = 0
    portrait: list[dict[str, Any]] = field(default_factory=list)


def _subject_of(owner) -> Subjects:
    return PERSONS if isinstance(owner, Person) else ENTERPRISES


def current_matches(owner, today: dt.date) -> list:
    """The enterprise's (or person's) matches in every policy's current results (policies in
    force only); its near misses are :func:`nearly_met`.

    The join follows each version's ``current_run``, so the database looks the rows up by primary
    key (run, version, enterprise): a thousand probes, not a scan of the result table.
    """
    subject = _subject_of(owner)
    return list(
        subject.match.objects.filter(
            **{subject.field: owner}, run_id=F("policy_version__current_run_id")
        )
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


def nearly_met(owner, today: dt.date) -> list[tuple[PolicyVersion, int, bool]]:
    """The policies in force the enterprise (or person) missed by exactly one condition in their
    current results: (version, the condition missed, whether it was unknown), by policy code."""
    subject = _subject_of(owner)
    versions = {
        version.pk: version
        for version in published_in_force(today, subject)
        .filter(current_run__isnull=False)
        .select_related("policy", "service_item")
    }
    found = current_near_misses(subject, owner.pk, versions)
    return sorted(found, key=lambda item: (item[0].policy.code, item[0].pk))


def mine_page(
    user, enterprise_id: int | None, today: dt.date, *, as_person: bool = False
) -> MinePage | None:
    """The policy page of an enterprise the user stands for, or of the user as a person (个人:
    ``as_person``, or when the account stands for no enterprise)."""
    enterprises = access.enterprises_of(user)
    person = access.person_of(user)
    if person is not None and (as_person or not enterprises):
        chosen = person
        page = MinePage(enterprise=None, enterprises=enterprises, person=person)
    elif enterprises:
        chosen = next((e for e in enterprises if e.pk == enterprise_id), enterprises[0])
        page = MinePage(enterprise=chosen, enterprises=enterprises)
    else:
        return None
    subject = _subject_of(chosen)
    grants = list(
        Grant.objects.filter(**{subject.field: chosen})
        .select_related("policy_version", "policy")
        .order_by("-granted_on")
    )
    page.enjoyed = grants
    granted_policies = {grant.policy_id for grant in grants}
    offers = {
        offer.policy_version_id: offer
        for offer in PolicyOffer.objects.filter(**{subject.field: chosen}).select_related(
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
        if version.mode == PolicyMode.AUTO_GRANT:
            page.waiting.append(item)
        elif item.offer is None or item.offer.status == PolicyOffer.Status.OFFERED:
            page.may_apply.append(item)
    for version, missed, _unknown in nearly_met(chosen, today):
        if version.policy_id in granted_policies:
            continue
        explanation = explain(version, values=values, today=today)
        page.nearly.append(MineItem(version, None, explanation, missed=missed))
    if subject is ENTERPRISES:  # a person's messages are in the platform inbox (/messages/)
        page.notices = list(Notice.objects.filter(enterprise=chosen)[:20])
        page.unread = Notice.objects.filter(enterprise=chosen, read_at__isnull=True).count()
    page.portrait = portrait_facts(chosen)
    return page


def portrait_facts(owner) -> list[dict[str, Any]]:
    """The enterprise's (or person's) portrait as they see it: value, source, date."""
    subject = _subject_of(owner)
    portrait = subject.portrait.objects.filter(**{subject.field: owner}).first()
    values = portrait_values(portrait, subject.kind)
    sources = {
        s.attribute: s
        for s in SOURCE_MODELS[subject.kind]
        .objects.filter(**{subject.field: owner})
        .select_related("department")
    }
    return [
        {
            "attribute": ANY_BY_CODE[code],
            "value": format_value(ANY_BY_CODE[code], value),
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


def _summary(version: PolicyVersion) -> MatchRunPolicy | None:
    """The (current run, version) counts the engine keeps (matches, near misses by condition)."""
    if version.current_run_id is None:
        return None
    return MatchRunPolicy.objects.filter(
        run_id=version.current_run_id, policy_version=version
    ).first()


def result_counts(version: PolicyVersion) -> dict[str, int]:
    """How many met all conditions and how many missed one, in the current results."""
    summary = _summary(version)
    if summary is None:
        return {"matched": 0, "near": 0}
    return {"matched": summary.matched, "near": summary.near_misses}


def missed_breakdown(version: PolicyVersion) -> list[dict[str, Any]]:
    """Near misses by the condition they missed (which clause keeps most enterprises out)."""
    summary = _summary(version)
    if summary is None:
        return []
    counts = list(summary.missed_counts or [])
    return [
        {
            "index": index,
            "name": condition["name"],
            "count": counts[index] if index < len(counts) else 0,
        }
        for index, condition in enumerate(version.conditions)
    ]


def delivery_rows(
    version: PolicyVersion, *, offset: int, limit: int, today: dt.date
) -> list[dict[str, Any]]:
    """One page of the current list of subjects that meet every condition, with amounts
    (``enterprise`` or ``person`` set on each row, as the policy's subject kind says)."""
    if version.current_run_id is None:
        return []
    subject = subjects_of(version)
    id_column = subject.id_column
    matches = list(
        subject.match.objects.filter(
            run_id=version.current_run_id, policy_version=version, matched=True
        )
        .select_related(subject.field)
        .order_by(id_column)[offset : offset + limit]
    )
    ids = [getattr(m, id_column) for m in matches]
    portraits = {p.pk: p for p in subject.portrait.objects.filter(pk__in=ids)}
    granted = set(
        Grant.objects.filter(policy_id=version.policy_id, **{f"{id_column}__in": ids}).values_list(
            id_column, flat=True
        )
    )
    return [
        {
            "enterprise": getattr(m, "enterprise", None),
            "person": getattr(m, "person", None),
            "amount": explain(
                version,
                values=portrait_values(portraits.get(getattr(m, id_column)), subject.kind),
                today=today,
            ).amount,
            "granted": getattr(m, id_column) in granted,
        }
        for m in matches
    ]


def submitted_offers(version: PolicyVersion) -> QuerySet:
    return PolicyOffer.objects.filter(
        policy_version=version, status=PolicyOffer.Status.SUBMITTED
    ).select_related("enterprise", "person")


def recent_runs(limit: int = 20) -> list[MatchRun]:
    return list(MatchRun.objects.order_by("-pk")[:limit])


def recent_imports(user, limit: int = 20) -> list[PortraitImport]:
    from banshi.people.permissions import department_q

    return list(
        PortraitImport.objects.filter(department_q(user, "department__code")).select_related(
            "department"
        )[:limit]
    )
