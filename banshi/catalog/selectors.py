"""Read queries on the catalogue.

``catalogue_snapshot()`` rebuilds the pure :class:`~banshi.catalog.schema.Catalogue` of the versions
valid on a day, so guides, plans and reports run the same pure compiler code whether the catalogue
came from YAML files or from the database. The snapshot is cached per process with the catalogue
revision (目录版本号) it was built from: a load or publish in this process drops it at once; for a
change made elsewhere, the process reads the revision every ``BANSHI_CATALOGUE_CHECK_SECONDS`` and
rebuilds only when it moved (a build is a dozen queries and 50–300 ms of CPU), and at the latest
after ``BANSHI_CATALOGUE_MAX_AGE_SECONDS`` (a raw SQL edit moves no revision).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import Prefetch, Q, QuerySet

from banshi.catalog import compiler, models, schema
from banshi.core import clock

Revision = tuple[int, dt.datetime | None]  # (number, changed_at) of the revision row


@dataclass
class _Snapshot:
    catalogue: schema.Catalogue
    revision: Revision | None  # None: unknown (no revision table yet), so rebuilt at each check
    built_at: float  # _monotonic() when its build started
    checked_at: float  # _monotonic() when the revision was last compared


_cache: dict[dt.date, _Snapshot] = {}
_lock = threading.Lock()
_generation = 0  # moved by invalidate_snapshot, so a build that raced it is not kept
_monotonic = time.monotonic  # indirection for tests
T = TypeVar("T")


def valid_on(day: dt.date) -> Q:
    """Published and valid on ``day`` (half-open windows ``[valid_from, valid_to)``)."""
    return Q(status=models.VersionStatus.PUBLISHED, valid_from__lte=day) & (
        Q(valid_to__isnull=True) | Q(valid_to__gt=day)
    )


def current_item_version(
    item: models.ServiceItem, day: dt.date | None = None
) -> models.ServiceItemVersion | None:
    return item.versions.filter(valid_on(day or clock.today())).order_by("-number").first()


def current_bundle_version(
    bundle: models.Bundle, day: dt.date | None = None
) -> models.BundleVersion | None:
    return bundle.versions.filter(valid_on(day or clock.today())).order_by("-number").first()


def item_versions_on(day: dt.date) -> QuerySet[models.ServiceItemVersion]:
    return (
        models.ServiceItemVersion.objects.filter(valid_on(day))
        .select_related("item", "department", "produces")
        .prefetch_related(
            Prefetch("item_fields", queryset=models.ItemField.objects.select_related("element")),
            Prefetch(
                "requirements",
                queryset=models.MaterialRequirement.objects.select_related("material"),
            ),
        )
        .order_by("item__code")
    )


def bundle_versions_on(day: dt.date) -> QuerySet[models.BundleVersion]:
    return (
        models.BundleVersion.objects.filter(valid_on(day))
        .select_related("bundle", "department")
        .prefetch_related(
            Prefetch("entries", queryset=models.BundleEntry.objects.select_related("item")),
            "questions",
        )
        .order_by("bundle__code")
    )


def snapshot_memo(catalogue: schema.Catalogue, key: tuple, build: Callable[[], T]) -> T:
    """``build()`` once per snapshot: a read of the catalogue tables that holds as long as the
    snapshot it goes with (the versions a submission pins, for instance), so that it is
    refreshed, and forgotten, with the snapshot itself (after a load or publish, here or in
    another process). What ``build`` raises is not kept. Treat the value as
    read-only: threads of a process share it."""
    memo = catalogue.__dict__.setdefault("_banshi_memo", {})
    try:
        return memo[key]
    except KeyError:
        value = memo[key] = build()
        return value


PLANS_KEPT = 256  # compiled plans kept per snapshot (a few MB at most)


def compiled_plan(
    catalogue: schema.Catalogue,
    bundle_code: str | None,
    item_code: str | None,
    answers: Mapping[str, Any],
    profile: Mapping[str, Any],
) -> compiler.Plan:
    """The plan of a bundle (or a single item) for these answers and this profile, compiled
    once per snapshot: a submission compiles it for the draft and again, as the authority, in the
    case engine, and an applicant's next request asks the same. The compiler is pure, so equal
    inputs give an equal plan; plans are frozen, so threads may share one. Bounded: the oldest
    is dropped beyond ``PLANS_KEPT``. Raises what the compiler raises (never kept)."""
    try:
        key = (bundle_code or "", item_code or "", _frozen(answers), _frozen(profile))
        hash(key)
    except TypeError:  # a value the key cannot hold: compile without keeping
        key = None
    plans = catalogue.__dict__.setdefault("_banshi_plans", {})
    if key is not None:
        found = plans.get(key)
        if found is not None:
            return found
    if bundle_code:
        plan = compiler.compile_plan(catalogue, bundle_code, answers, profile)
    else:
        plan = compiler.compile_item_plan(catalogue, item_code or "", answers, profile)
    if key is not None:
        if len(plans) >= PLANS_KEPT:
            with contextlib.suppress(KeyError, StopIteration, RuntimeError):
                del plans[next(iter(plans))]  # the oldest (another thread may get there first)
        plans[key] = plan
    return plan


def _frozen(value: Any) -> Any:
    """A hashable twin of answers and profile values (mappings, lists and sets included)."""
    if isinstance(value, Mapping):
        return tuple(sorted((str(k), _frozen(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return ("list", *(_frozen(v) for v in value))
    if isinstance(value, set | frozenset):
        return ("set", *sorted(repr(v) for v in value))
    return (type(value).__name__, value)


def invalidate_snapshot() -> None:
    """Forget cached snapshots (called after a load or publish commits)."""
    global _generation
    with _lock:
        _generation += 1
        _cache.clear()


def catalogue_revision() -> Revision | None:
    """The catalogue revision (目录版本号) as committed now: one primary-key read.

    ``(number, changed_at)`` rather than the number alone: a snapshot built inside a catalogue
    write that then rolled back carries a number the next write will reuse, never its time.
    ``(0, None)`` if the row is missing (a flushed test database: the next bump creates it).
    ``None`` if the table does not exist yet (a database before migration 0005, e.g. while
    ``migrate`` runs): the caller then rebuilds at each check, as before revisions. Inside a
    transaction the read runs in a savepoint, so that a missing table does not break the
    caller's transaction on PostgreSQL.
    """
    rows = models.CatalogueRevision.objects.filter(pk=models.REVISION_ROW).values_list(
        "number", "changed_at"
    )
    try:
        if transaction.get_connection().in_atomic_block:
            with transaction.atomic():
                found = rows.first()
        else:
            found = rows.first()
    except DatabaseError:
        return None
    return found if found is not None else (0, None)


def catalogue_snapshot(day: dt.date | None = None) -> schema.Catalogue:
    """The catalogue valid on ``day`` (default today) as pure data, cached per process.

    The cached snapshot is returned as is until ``BANSHI_CATALOGUE_CHECK_SECONDS`` have passed;
    then one thread reads the revision (the others keep the snapshot meanwhile) and rebuilds only
    if it moved since the build, or if the snapshot is ``BANSHI_CATALOGUE_MAX_AGE_SECONDS`` old.
    The build runs outside the lock: threads never wait for one another's build.
    """
    day = day or clock.today()
    now = _monotonic()
    with _lock:
        generation = _generation
        cached = _cache.get(day)
        if cached is not None:
            if now - cached.built_at >= settings.BANSHI_CATALOGUE_MAX_AGE_SECONDS:
                cached = None
            elif now - cached.checked_at < settings.BANSHI_CATALOGUE_CHECK_SECONDS:
                return cached.catalogue
            else:
                cached.checked_at = now  # this thread checks; the others use the snapshot
    revision = catalogue_revision()
    if cached is not None and revision is not None and revision == cached.revision:
        return cached.catalogue
    catalogue = build_catalogue(day)  # the revision was read first: a write meanwhile is not lost
    with _lock:
        if generation == _generation:
            _cache[day] = _Snapshot(catalogue, revision, now, now)
    return catalogue


def build_catalogue(day: dt.date) -> schema.Catalogue:
    """Read the whole catalogue valid on ``day`` from the database (a handful of queries)."""
    catalogue = schema.Catalogue()
    for row in models.Department.objects.all():
        catalogue.departments[row.code] = schema.Department(
            code=row.code, name=row.name, short_name=row.short_name or None
        )
    for row in models.DataElement.objects.all():
        catalogue.data_elements[row.code] = schema.DataElement(
            code=row.code,
            label=row.label,
            type=row.type,
            prefill=row.prefill or None,
            options=tuple(row.options or ()),
            help=row.help or None,
        )
    for row in models.LicenceType.objects.select_related("department"):
        catalogue.licence_types[row.code] = schema.LicenceType(
            code=row.code,
            name=row.name,
            department=row.department.code if row.department else None,
            valid_years=row.valid_years,
        )
    for row in models.Material.objects.select_related("licence_type"):
        catalogue.materials[row.code] = schema.Material(
            code=row.code,
            name=row.name,
            licence_type=row.licence_type.code if row.licence_type else None,
            data_share=row.data_share or None,
            description=row.description or None,
        )
    for version in item_versions_on(day):
        catalogue.items[version.item.code] = item_schema(version)
    for version in bundle_versions_on(day):
        catalogue.bundles[version.bundle.code] = bundle_schema(version)
    return catalogue


def item_schema(version: models.ServiceItemVersion) -> schema.ServiceItem:
    """One item version as pure data (the inverse of the loader's mapping)."""
    return schema.ServiceItem(
        code=version.item.code,
        name=version.name,
        kind=version.kind,
        department=version.department.code,
        legal_days=version.legal_days,
        promised_days=version.promised_days,
        visits=version.visits,
        steps=tuple(version.steps),
        fields=tuple(f.element.code for f in version.item_fields.all()),
        materials=tuple(
            schema.MaterialRequirement(
                material=r.material.code,
                when=r.when or None,
                deficiency_allowed=r.deficiency_allowed,
                commitment_allowed=r.commitment_allowed,
                copies=r.copies or None,
                note=r.note or None,
            )
            for r in version.requirements.all()
        ),
        produces=version.produces.code if version.produces else None,
        basic_code=version.basic_code or None,
        implementation_code=version.implementation_code or None,
        legal_basis=version.legal_basis or None,
        conditions=version.conditions or None,
        review_points=version.review_points or None,
        service_object=version.service_object or None,
        handling_forms=tuple(version.handling_forms),
        fee=version.fee or None,
        online_level=version.online_level or None,
        special_procedures=tuple(version.special_procedures),
        address=version.address or None,
        hours=version.hours or None,
        contact=version.contact or None,
        supervision=version.supervision or None,
        result=version.result or None,
        pause_allowed=version.pause_allowed,
        extension_days=version.extension_days,
        description=version.description or None,
        instant_approval=version.instant_approval,
        commitment_verify_days=version.commitment_verify_days,
        remarked_licence=version.remarked_licence,
    )


def bundle_schema(version: models.BundleVersion) -> schema.Bundle:
    return schema.Bundle(
        code=version.bundle.code,
        name=version.name,
        department=version.department.code,
        items=tuple(
            schema.BundleItem(item=e.item.code, after=tuple(e.after), when=e.when or None)
            for e in version.entries.all()
        ),
        questions=tuple(
            schema.Question(
                code=q.code, text=q.text, type=q.type, options=tuple(q.options), help=q.help or None
            )
            for q in version.questions.all()
        ),
        steps=tuple(version.steps),
        visits=version.visits,
        silence_is_consent=version.silence_is_consent,
        promised_days=version.promised_days,
        description=version.description or None,
        audience=version.audience or None,
        life_event=version.life_event or None,
        batch=version.batch or None,
    )
