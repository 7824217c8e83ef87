"""Loading the catalogue into the database: all-or-nothing, idempotent, versioned (DESIGN §4, §10)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from banshi.catalog import models, services
from banshi.catalog.canonical import dump_catalogue
from banshi.catalog.parsing import CatalogueError
from banshi.catalog.selectors import build_catalogue, current_item_version
from banshi.catalog.tests.samples import GOOD
from banshi.core import clock

pytestmark = pytest.mark.django_db

DAY1 = dt.date(2026, 3, 2)
DAY2 = dt.date(2026, 6, 1)


def write(tmp_path: Path, text: str, name: str = "catalogue.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load(tmp_path: Path, text: str, day: dt.date = DAY1) -> services.LoadResult:
    with clock.frozen(day):
        return services.load_catalogue([write(tmp_path, text)])


def test_loading_creates_every_kind_of_entry(tmp_path):
    result = load(tmp_path, GOOD)
    # Other apps may seed departments (12345 categories name their default departments).
    seen = result.created.pop("department", 0) + result.updated.get("department", 0)
    assert seen + result.unchanged.get("department", 0) == 1
    assert result.created == {
        "data_element": 2,
        "licence_type": 1,
        "material": 2,
        "item": 2,
        "bundle": 1,
    }
    version = current_item_version(models.ServiceItem.objects.get(code="SCJG-XK-001"), DAY1)
    assert version.number == 1 and version.valid_from == DAY1 and version.valid_to is None
    assert [f.element.code for f in version.item_fields.all()] == ["enterprise.name", "shop.area"]


def test_loading_the_same_file_twice_changes_nothing(tmp_path):
    load(tmp_path, GOOD)
    result = load(tmp_path, GOOD, DAY2)
    assert not result.changed
    assert models.ServiceItemVersion.objects.count() == 2
    assert models.BundleVersion.objects.count() == 1


def test_a_changed_item_gets_a_new_version_and_the_old_one_is_closed(tmp_path):
    load(tmp_path, GOOD)
    result = load(tmp_path, GOOD.replace("promised_days: 10", "promised_days: 5"), DAY2)
    assert result.updated == {"item": 1}
    versions = list(
        models.ServiceItemVersion.objects.filter(item__code="SCJG-XK-001").order_by("number")
    )
    assert [(v.number, v.valid_from, v.valid_to, v.promised_days) for v in versions] == [
        (1, DAY1, DAY2, 10),
        (2, DAY2, None, 5),
    ]


def test_the_catalogue_of_a_past_day_shows_the_version_valid_then(tmp_path):
    load(tmp_path, GOOD)
    load(tmp_path, GOOD.replace("promised_days: 10", "promised_days: 5"), DAY2)
    assert build_catalogue(DAY1).items["SCJG-XK-001"].promised_days == 10
    assert build_catalogue(DAY2).items["SCJG-XK-001"].promised_days == 5


def test_a_bad_catalogue_loads_nothing(tmp_path):
    good = write(tmp_path, GOOD, "a.yaml")
    bad = write(
        tmp_path,
        "version: 1\nitems:\n  - {code: X, name: x, kind: 公共服务, department: NOPE}\n",
        "b.yaml",
    )
    with pytest.raises(CatalogueError) as error, clock.frozen(DAY1):
        services.load_catalogue([good, bad])
    assert "unknown department NOPE" in str(error.value)
    assert models.DataElement.objects.count() == 0
    assert models.ServiceItem.objects.count() == 0


def test_a_failure_half_way_through_a_load_rolls_everything_back(tmp_path, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_load_bundle", explode)
    with pytest.raises(RuntimeError), clock.frozen(DAY1):
        services.load_catalogue([write(tmp_path, GOOD)])
    assert models.ServiceItem.objects.count() == 0
    assert models.DataElement.objects.count() == 0


def test_a_district_file_may_use_codes_already_in_the_database(tmp_path):
    load(tmp_path, GOOD)
    local = "version: 1\nbundles:\n  - {code: LOCAL-1, name: 本地一件事, department: SCJG, items: [{item: SCJG-DJ-001}]}\n"
    with clock.frozen(DAY1):
        result = services.load_catalogue([write(tmp_path, local, "local.yaml")])
    assert result.created == {"bundle": 1}


def test_export_then_load_is_a_fixed_point(tmp_path):
    load(tmp_path, GOOD)
    exported = dump_catalogue(build_catalogue(DAY1))
    result = load(tmp_path, exported, DAY2)
    assert not result.changed
    assert dump_catalogue(build_catalogue(DAY2)) == exported


def test_a_published_version_cannot_be_published_again(tmp_path):
    load(tmp_path, GOOD)
    version = models.ServiceItemVersion.objects.get(item__code="SCJG-XK-001")
    with pytest.raises(services.VersionError):
        services.publish(version, valid_from=DAY2)


def test_a_draft_copy_is_published_as_the_next_version(tmp_path):
    load(tmp_path, GOOD)
    current = models.ServiceItemVersion.objects.get(item__code="SCJG-XK-001")
    draft = services.copy_to_draft(current)
    draft.promised_days = 3
    draft.save()
    assert draft.status == models.VersionStatus.DRAFT
    assert build_catalogue(DAY2).items["SCJG-XK-001"].promised_days == 10
    services.publish(draft, valid_from=DAY2)
    current.refresh_from_db()
    assert current.valid_to == DAY2
    assert build_catalogue(DAY2).items["SCJG-XK-001"].promised_days == 3
    assert list(draft.requirements.values_list("material__code", flat=True)) == [
        "YYZZ-COPY",
        "LEASE",
    ]


def test_a_version_cannot_start_before_a_published_one(tmp_path):
    load(tmp_path, GOOD, DAY2)
    draft = services.copy_to_draft(models.ServiceItemVersion.objects.get(item__code="SCJG-XK-001"))
    with pytest.raises(services.VersionError):
        services.publish(draft, valid_from=DAY1)


def test_reloading_after_an_admin_published_draft_matches_by_content(tmp_path):
    """The hash of a published draft is computed from its content, so re-loading the file that
    describes the same content creates no new version."""
    load(tmp_path, GOOD)
    draft = services.copy_to_draft(models.ServiceItemVersion.objects.get(item__code="SCJG-XK-001"))
    services.publish(draft, valid_from=DAY2)
    assert not load(tmp_path, GOOD, DAY2).changed
