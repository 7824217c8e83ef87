"""Business operations on the catalogue: load (all-or-nothing, idempotent), publish versions.

Loading turns parsed catalogue files into rows. An item whose canonical content is unchanged keeps
its current version; a changed item gets a new published version from today, and the previous one
is closed the same day, so validity windows never overlap and cases keep the version they opened
with (DESIGN §4, §10).

Every write of catalogue rows moves the catalogue revision (目录版本号, :func:`bump_revision`) in
its own transaction, so every process rebuilds its snapshot once the write commits, and only then.
A service bumps once for all the rows it writes; a save or delete elsewhere (the admin, a script)
bumps through the signals in :mod:`banshi.catalog.signals`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import IntegrityError, transaction
from django.db.models import F

from banshi.catalog import models, schema
from banshi.catalog.canonical import content_hash
from banshi.catalog.parsing import (
    CatalogueError,
    KnownCodes,
    check_references,
    read_catalogue,
)
from banshi.catalog.selectors import (
    bundle_schema,
    current_bundle_version,
    current_item_version,
    invalidate_snapshot,
    item_schema,
)
from banshi.core import clock


@dataclass
class LoadResult:
    """What a load changed, per kind: counts of created / updated / unchanged entries."""

    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)

    def count(self, bucket: str, kind: str) -> None:
        target = getattr(self, bucket)
        target[kind] = target.get(kind, 0) + 1

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def summary(self) -> str:
        kinds = ("department", "data_element", "licence_type", "material", "item", "bundle")
        parts = []
        for kind in kinds:
            c, u, n = (
                self.created.get(kind, 0),
                self.updated.get(kind, 0),
                self.unchanged.get(kind, 0),
            )
            if c or u or n:
                parts.append(f"{kind}: +{c} ~{u} ={n}")
        return "; ".join(parts) or "nothing to load"


def known_codes() -> KnownCodes:
    """Codes already in the database, so a district's file may use national codes without repeating them."""
    return KnownCodes(
        departments=frozenset(models.Department.objects.values_list("code", flat=True)),
        data_elements=frozenset(models.DataElement.objects.values_list("code", flat=True)),
        licence_types=frozenset(models.LicenceType.objects.values_list("code", flat=True)),
        materials=frozenset(models.Material.objects.values_list("code", flat=True)),
        items=frozenset(models.ServiceItem.objects.values_list("code", flat=True)),
    )


def load_catalogue(paths: Iterable[str | Path], *, note: str = "") -> LoadResult:
    """Load catalogue files: refuse all of them if any problem is found, else apply in one transaction."""
    catalogue, problems = read_catalogue(paths)
    problems = problems + check_references(catalogue, known_codes())
    if problems:
        raise CatalogueError(problems)
    return apply_catalogue(catalogue, note=note)


def bump_revision() -> None:
    """Move the catalogue revision (目录版本号) by one, in the caller's transaction.

    One ``UPDATE … SET number = number + 1``: it commits or rolls back with the write it reports,
    so no process sees the new number before the new rows. The row is created if missing (a
    flushed test database). On PostgreSQL the update also holds the row until the commit, so two
    catalogue writes take turns rather than interleave.
    """
    now = clock.now()
    rows = models.CatalogueRevision.objects.filter(pk=models.REVISION_ROW)
    if rows.update(number=F("number") + 1, changed_at=now):
        return
    try:
        with transaction.atomic():
            models.CatalogueRevision.objects.create(
                pk=models.REVISION_ROW, number=1, changed_at=now
            )
    except IntegrityError:  # another process created it meanwhile
        rows.update(number=F("number") + 1, changed_at=now)


_local = threading.local()  # .depth: inside a service that bumps once; .dirty: it wrote something


@contextlib.contextmanager
def _one_revision() -> Iterator[None]:
    """Bump the revision once at the end of the outermost block, if anything was written in it.

    Why: a national load saves thousands of rows, each sending ``post_save``; inside this block
    :func:`row_changed` only notes the change, so the load costs one ``UPDATE`` of the revision,
    and a load that changed nothing costs none (no process rebuilds for it). Use it inside the
    transaction of the writes.
    """
    depth = getattr(_local, "depth", 0)
    if not depth:
        _local.dirty = False
    _local.depth = depth + 1
    try:
        yield
        if not depth and _local.dirty:
            bump_revision()
    finally:
        _local.depth = depth


def _changed() -> None:
    """Note, inside :func:`_one_revision`, a write that sends no signal (``bulk_create``,
    ``QuerySet.update``)."""
    _local.dirty = True


def row_changed() -> None:
    """A catalogue row was saved or deleted (``signals``): bump now, or once at the end of the
    enclosing service call. Outside a service (the admin, a script) this process also forgets
    its snapshot once the change commits; other processes see the new revision."""
    if getattr(_local, "depth", 0):
        _changed()
        return
    bump_revision()
    transaction.on_commit(invalidate_snapshot)


@transaction.atomic
def apply_catalogue(catalogue: schema.Catalogue, *, note: str = "") -> LoadResult:
    """Write a checked catalogue to the database (one transaction: all or nothing)."""
    with _one_revision():
        return _apply(catalogue, note)


def _apply(catalogue: schema.Catalogue, note: str) -> LoadResult:
    result = LoadResult()
    today = clock.today()
    for entry in catalogue.departments.values():
        _upsert(
            result,
            "department",
            models.Department,
            entry.code,
            {"name": entry.name, "short_name": entry.short_name or ""},
        )
    for entry in catalogue.data_elements.values():
        _upsert(
            result,
            "data_element",
            models.DataElement,
            entry.code,
            {
                "label": entry.label,
                "type": entry.type,
                "prefill": entry.prefill or "",
                "options": list(entry.options),
                "help": entry.help or "",
            },
        )
    for entry in catalogue.licence_types.values():
        _upsert(
            result,
            "licence_type",
            models.LicenceType,
            entry.code,
            {
                "name": entry.name,
                "department": _department(entry.department) if entry.department else None,
                "valid_years": entry.valid_years,
            },
        )
    for entry in catalogue.materials.values():
        _upsert(
            result,
            "material",
            models.Material,
            entry.code,
            {
                "name": entry.name,
                "licence_type": models.LicenceType.objects.get(code=entry.licence_type)
                if entry.licence_type
                else None,
                "data_share": entry.data_share or "",
                "description": entry.description or "",
            },
        )
    for entry in catalogue.items.values():
        _load_item(result, entry, today, note)
    for entry in catalogue.bundles.values():
        _load_bundle(result, entry, today, note)
    if result.changed:
        transaction.on_commit(_after_change)
    return result


def _after_change() -> None:
    invalidate_snapshot()
    from banshi.catalog import search

    search.rebuild_index()


def _department(code: str) -> models.Department:
    return models.Department.objects.get(code=code)


def _upsert(result: LoadResult, kind: str, model, code: str, values: dict) -> None:
    row = model.objects.filter(code=code).first()
    if row is None:
        model.objects.create(code=code, **values)
        result.count("created", kind)
        return
    if all(getattr(row, key) == value for key, value in values.items()):
        result.count("unchanged", kind)
        return
    for key, value in values.items():
        setattr(row, key, value)
    row.save()
    result.count("updated", kind)


def _load_item(result: LoadResult, entry: schema.ServiceItem, today: dt.date, note: str) -> None:
    item, created = models.ServiceItem.objects.get_or_create(code=entry.code)
    digest = content_hash(entry)
    current = current_item_version(item, today)
    if current is not None and current.content_hash == digest:
        result.count("unchanged", "item")
        return
    version = models.ServiceItemVersion(
        item=item,
        number=_next_number(item.versions),
        content_hash=digest,
        change_note=note,
        **_item_values(entry),
    )
    version.save()
    _changed()  # bulk_create sends no signal
    models.ItemField.objects.bulk_create(
        models.ItemField(
            version=version, element=models.DataElement.objects.get(code=code), position=i
        )
        for i, code in enumerate(entry.fields)
    )
    materials = {
        m.code: m
        for m in models.Material.objects.filter(code__in=[r.material for r in entry.materials])
    }
    models.MaterialRequirement.objects.bulk_create(
        models.MaterialRequirement(
            version=version,
            material=materials[req.material],
            position=i,
            when=req.when or "",
            deficiency_allowed=req.deficiency_allowed,
            commitment_allowed=req.commitment_allowed,
            copies=req.copies or "",
            note=req.note or "",
        )
        for i, req in enumerate(entry.materials)
    )
    publish(version, valid_from=today, reindex=False)
    result.count("created" if created else "updated", "item")


def _item_values(entry: schema.ServiceItem) -> dict:
    return {
        "name": entry.name,
        "kind": entry.kind,
        "department": _department(entry.department),
        "legal_days": entry.legal_days,
        "promised_days": entry.promised_days,
        "visits": entry.visits,
        "steps": list(entry.steps),
        "produces": models.LicenceType.objects.get(code=entry.produces) if entry.produces else None,
        "basic_code": entry.basic_code or "",
        "implementation_code": entry.implementation_code or "",
        "legal_basis": entry.legal_basis or "",
        "conditions": entry.conditions or "",
        "review_points": entry.review_points or "",
        "service_object": entry.service_object or "",
        "handling_forms": list(entry.handling_forms),
        "fee": entry.fee or "",
        "online_level": entry.online_level or "",
        "special_procedures": list(entry.special_procedures),
        "address": entry.address or "",
        "hours": entry.hours or "",
        "contact": entry.contact or "",
        "supervision": entry.supervision or "",
        "result": entry.result or "",
        "pause_allowed": entry.pause_allowed,
        "extension_days": entry.extension_days,
        "description": entry.description or "",
        "instant_approval": entry.instant_approval,
        "commitment_verify_days": entry.commitment_verify_days,
        "remarked_licence": entry.remarked_licence,
    }


def _load_bundle(result: LoadResult, entry: schema.Bundle, today: dt.date, note: str) -> None:
    bundle, created = models.Bundle.objects.get_or_create(code=entry.code)
    digest = content_hash(entry)
    current = current_bundle_version(bundle, today)
    if current is not None and current.content_hash == digest:
        result.count("unchanged", "bundle")
        return
    version = models.BundleVersion.objects.create(
        bundle=bundle,
        number=_next_number(bundle.versions),
        content_hash=digest,
        change_note=note,
        name=entry.name,
        department=_department(entry.department),
        steps=list(entry.steps),
        visits=entry.visits,
        silence_is_consent=entry.silence_is_consent,
        promised_days=entry.promised_days,
        description=entry.description or "",
        audience=entry.audience or "",
        life_event=entry.life_event or "",
        batch=entry.batch or "",
    )
    items = {
        i.code: i for i in models.ServiceItem.objects.filter(code__in=[e.item for e in entry.items])
    }
    _changed()  # bulk_create sends no signal
    models.BundleEntry.objects.bulk_create(
        models.BundleEntry(
            version=version, item=items[e.item], position=i, after=list(e.after), when=e.when or ""
        )
        for i, e in enumerate(entry.items)
    )
    models.BundleQuestion.objects.bulk_create(
        models.BundleQuestion(
            version=version,
            position=i,
            code=q.code,
            text=q.text,
            type=q.type,
            options=list(q.options),
            help=q.help or "",
        )
        for i, q in enumerate(entry.questions)
    )
    publish(version, valid_from=today, reindex=False)
    result.count("created" if created else "updated", "bundle")


def _next_number(versions) -> int:
    last = versions.order_by("-number").values_list("number", flat=True).first()
    return (last or 0) + 1


class VersionError(Exception):
    """A version operation that would break the versioning rules (Chinese + English message)."""


def publish(
    version: models.ServiceItemVersion | models.BundleVersion,
    *,
    valid_from: dt.date,
    reindex: bool = True,
) -> None:
    """Publish a draft version from ``valid_from``: the version open at that date is closed there, and a
    published version is never edited again. Windows are half-open ``[valid_from, valid_to)``.
    One transaction (a savepoint inside the caller's), with the revision bump."""
    with transaction.atomic(), _one_revision():
        _publish(version, valid_from, reindex)


def _publish(version, valid_from: dt.date, reindex: bool) -> None:
    if version.is_published:
        raise VersionError(
            "该版本已发布，不能再次发布或修改 / this version is already published and cannot change"
        )
    siblings = (
        type(version)
        .objects.filter(
            **{_owner_field(version): getattr(version, _owner_field(version))},
            status=models.VersionStatus.PUBLISHED,
        )
        .select_for_update()
    )
    for other in siblings:
        if other.valid_from and other.valid_from > valid_from:
            raise VersionError(
                f"已有自 {other.valid_from} 起生效的版本，新版本不能更早生效 / a version valid from "
                f"{other.valid_from} exists; a new version cannot start before it"
            )
        if other.valid_to is None or other.valid_to > valid_from:
            type(other).objects.filter(pk=other.pk).update(valid_to=valid_from)
            _changed()  # QuerySet.update sends no signal
    version.content_hash = content_hash(_as_schema(version))
    version.status = models.VersionStatus.PUBLISHED
    version.valid_from = valid_from
    version.valid_to = None
    version.published_at = clock.now()
    version.save()
    # A load publishes many versions and refreshes once at the end; a single publish refreshes now.
    transaction.on_commit(_after_change if reindex else invalidate_snapshot)


def _as_schema(version):
    if isinstance(version, models.ServiceItemVersion):
        return item_schema(version)
    return bundle_schema(version)


def _owner_field(version) -> str:
    return "item" if isinstance(version, models.ServiceItemVersion) else "bundle"


@transaction.atomic
def copy_to_draft(version):
    """Start a new draft from a version (published versions are never edited; drafts are). A draft
    is not in any snapshot, but its rows are catalogue rows: the revision moves once for them."""
    with _one_revision():
        return _copy_to_draft(version)


def _copy_to_draft(version):
    owner = _owner_field(version)
    parent = getattr(version, owner)
    fields = {
        f.name: getattr(version, f.name)
        for f in type(version)._meta.concrete_fields
        if f.name
        not in ("id", "number", "status", "valid_from", "valid_to", "published_at", "created_at")
    }
    fields["number"] = _next_number(parent.versions)
    fields["status"] = models.VersionStatus.DRAFT
    draft = type(version).objects.create(**fields)
    if isinstance(version, models.ServiceItemVersion):
        for row in version.item_fields.all():
            models.ItemField.objects.create(
                version=draft, element=row.element, position=row.position
            )
        for row in version.requirements.all():
            row.pk = None
            row.version = draft
            row.save()
    else:
        for row in version.entries.all():
            row.pk = None
            row.version = draft
            row.save()
        for row in version.questions.all():
            row.pk = None
            row.version = draft
            row.save()
    return draft
