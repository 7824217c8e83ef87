"""The catalogue revision (目录版本号): every catalogue write moves it, and a process rebuilds its
snapshot only when it moved (checked every BANSHI_CATALOGUE_CHECK_SECONDS), or when the snapshot is
BANSHI_CATALOGUE_MAX_AGE_SECONDS old."""

from __future__ import annotations

import datetime as dt
import importlib
import re
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from banshi.catalog import models, search, selectors, services
from banshi.catalog.parsing import read_catalogue_text
from banshi.catalog.selectors import catalogue_snapshot, invalidate_snapshot
from banshi.catalog.tests.samples import GOOD
from banshi.core import clock
from banshi.core.services import ensure_roles
from banshi.core.tests.clocks import hand_clock

pytestmark = pytest.mark.django_db

DAY1 = dt.date(2026, 3, 2)
DAY2 = dt.date(2026, 6, 1)


def revision() -> int:
    """The revision number now; 0 without the row (a transactional test flushed it)."""
    row = models.CatalogueRevision.objects.filter(pk=models.REVISION_ROW).first()
    return row.number if row else 0


def load(text: str = GOOD, day: dt.date = DAY1) -> services.LoadResult:
    with clock.frozen(day):
        return services.apply_catalogue(read_catalogue_text(text)[0])


@pytest.fixture(autouse=True)
def _fresh(settings):
    settings.BANSHI_CATALOGUE_CHECK_SECONDS = 5
    settings.BANSHI_CATALOGUE_MAX_AGE_SECONDS = 600
    invalidate_snapshot()
    yield
    invalidate_snapshot()


@pytest.fixture
def loaded() -> None:
    load()


@pytest.fixture
def now(monkeypatch) -> list[float]:
    """The snapshot cache's clock, moved by hand: ``now[0] += 6``."""
    return hand_clock(monkeypatch, selectors)


@pytest.fixture
def builds(monkeypatch) -> list[dt.date]:
    """The days ``build_catalogue`` was called for, in order (it still builds)."""
    calls: list[dt.date] = []
    real = selectors.build_catalogue

    def counting(day: dt.date):
        calls.append(day)
        return real(day)

    monkeypatch.setattr(selectors, "build_catalogue", counting)
    return calls


def department_name(day: dt.date = DAY1) -> str:
    return catalogue_snapshot(day).departments["SCJG"].name


# --- Writes move the revision ----------------------------------------------------------------


def test_the_migration_creates_the_revision_row():
    migration = importlib.import_module("banshi.catalog.migrations.0005_catalogue_revision")
    models.CatalogueRevision.objects.all().delete()
    migration.create_the_row(django_apps, SimpleNamespace(connection=connection))
    assert models.CatalogueRevision.objects.filter(pk=models.REVISION_ROW).exists()


def test_a_load_moves_the_revision_once_for_all_its_rows():
    before = revision()
    load()
    assert revision() == before + 1


def test_a_load_that_changes_nothing_leaves_the_revision():
    load()
    before = revision()
    assert not load().changed
    assert revision() == before


def test_load_catalogue_from_files_moves_the_revision(tmp_path):
    path = tmp_path / "catalogue.yaml"
    path.write_text(GOOD, encoding="utf-8")
    before = revision()
    with clock.frozen(DAY1):
        services.load_catalogue([path])
    assert revision() == before + 1


def test_copying_a_version_to_a_draft_moves_the_revision_once(loaded):
    before = revision()
    services.copy_to_draft(models.ServiceItemVersion.objects.get(item__code="SCJG-XK-001"))
    assert revision() == before + 1


def test_publishing_a_draft_moves_the_revision(loaded):
    draft = services.copy_to_draft(models.ServiceItemVersion.objects.get(item__code="SCJG-XK-001"))
    before = revision()
    services.publish(draft, valid_from=DAY2)
    assert revision() == before + 1


def test_a_refused_publish_leaves_the_revision(loaded):
    draft = services.copy_to_draft(models.ServiceItemVersion.objects.get(item__code="SCJG-XK-001"))
    before = revision()
    with pytest.raises(services.VersionError):
        services.publish(draft, valid_from=DAY1 - dt.timedelta(days=1))
    assert revision() == before


def test_saving_a_catalogue_row_through_the_orm_moves_the_revision(loaded):
    before = revision()
    department = models.Department.objects.get(code="SCJG")
    department.name = "市场监管局"
    department.save()
    assert revision() == before + 1


def test_deleting_a_catalogue_row_through_the_orm_moves_the_revision(loaded):
    question = models.BundleQuestion.objects.get(code="shop.area")
    before = revision()
    question.delete()
    assert revision() == before + 1


def test_an_edit_in_the_admin_moves_the_revision(loaded, client):
    user = get_user_model().objects.create_user("cat", password="x-secret-123456", is_staff=True)
    user.groups.add(ensure_roles()["事项管理员"])
    client.force_login(user)
    department = models.Department.objects.get(code="SCJG")
    before = revision()
    response = client.post(
        f"/admin/catalog/department/{department.pk}/change/",
        {"code": "SCJG", "name": "市场监管局", "short_name": ""},
    )
    assert response.status_code == 302
    assert revision() == before + 1


def test_rebuilding_the_search_index_leaves_the_revision(loaded):
    before = revision()
    with clock.frozen(DAY1):
        assert search.rebuild_index() > 0
    assert revision() == before


def test_a_bump_creates_the_revision_row_when_it_is_missing():
    models.CatalogueRevision.objects.all().delete()
    services.bump_revision()
    assert revision() == 1


def test_every_table_the_snapshot_reads_moves_the_revision_when_written(loaded):
    with CaptureQueriesContext(connection) as queries:
        selectors.build_catalogue(DAY1)
    read = {t for q in queries for t in re.findall(r"catalog_[a-z_]+", q["sql"])}
    watched = {model._meta.db_table for model in models.SNAPSHOT_MODELS}
    assert read and read <= watched


# --- The snapshot follows the revision ----------------------------------------------------------


def test_within_the_check_interval_the_snapshot_costs_no_query(loaded, now):
    catalogue_snapshot(DAY1)
    now[0] += 4
    with CaptureQueriesContext(connection) as queries:
        catalogue_snapshot(DAY1)
    assert len(queries) == 0


def test_an_unchanged_revision_does_not_rebuild_after_the_check(loaded, now, builds):
    first = catalogue_snapshot(DAY1)
    now[0] += 100  # many checks later, well below the max age
    with CaptureQueriesContext(connection) as queries:
        assert catalogue_snapshot(DAY1) is first
    assert builds == [DAY1]
    # The revision and nothing more (inside the test's transaction, in a savepoint).
    statements = [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) == 1 and "catalog_cataloguerevision" in statements[0]


def test_a_revision_moved_by_another_process_is_seen_at_the_next_check(loaded, now, builds):
    assert department_name() == "市场监督管理局"
    # Another process: it writes and bumps, but this process's snapshot is not invalidated.
    models.Department.objects.filter(code="SCJG").update(name="市场监管局")
    services.bump_revision()
    now[0] += 4
    assert department_name() == "市场监督管理局"  # not checked yet
    now[0] += 2
    assert department_name() == "市场监管局"
    assert builds == [DAY1, DAY1]


def test_the_check_interval_is_read_at_run_time(loaded, now, builds, settings):
    catalogue_snapshot(DAY1)
    services.bump_revision()
    settings.BANSHI_CATALOGUE_CHECK_SECONDS = 1
    now[0] += 2
    catalogue_snapshot(DAY1)
    assert builds == [DAY1, DAY1]


def test_the_max_age_rebuilds_although_the_revision_did_not_move(loaded, now, builds):
    catalogue_snapshot(DAY1)
    models.Department.objects.filter(code="SCJG").update(name="市场监管局")  # raw: no bump
    now[0] += 599
    assert department_name() == "市场监督管理局"
    now[0] += 1
    assert department_name() == "市场监管局"


def test_a_snapshot_is_kept_per_day(loaded, now, builds):
    catalogue_snapshot(DAY1)
    catalogue_snapshot(DAY2)
    catalogue_snapshot(DAY1)
    assert builds == [DAY1, DAY2]


def test_a_change_committed_in_this_process_is_seen_at_once(
    loaded, now, django_capture_on_commit_callbacks
):
    assert department_name() == "市场监督管理局"
    with django_capture_on_commit_callbacks(execute=True):
        department = models.Department.objects.get(code="SCJG")
        department.name = "市场监管局"
        department.save()
    assert department_name() == "市场监管局"


def test_a_build_that_raced_an_invalidation_is_not_kept(loaded, now, monkeypatch):
    real = selectors.build_catalogue
    calls = []

    def racing(day: dt.date):
        calls.append(day)
        catalogue = real(day)
        if len(calls) == 1:
            invalidate_snapshot()  # a publish committed while this build was reading
        return catalogue

    monkeypatch.setattr(selectors, "build_catalogue", racing)
    catalogue_snapshot(DAY1)
    catalogue_snapshot(DAY1)
    assert len(calls) == 2


# --- Before the revision table exists ----------------------------------------------------------


@pytest.fixture
def no_revision_table(monkeypatch) -> None:
    """A database before migration 0005: the revision's table name points nowhere."""
    monkeypatch.setattr(models.CatalogueRevision._meta, "db_table", "catalog_no_such_table")


def test_without_the_revision_table_the_revision_is_unknown_and_the_transaction_goes_on(
    loaded, no_revision_table
):
    assert selectors.catalogue_revision() is None
    assert models.Department.objects.filter(code="SCJG").exists()  # not aborted (PostgreSQL)


def test_without_the_revision_table_the_snapshot_is_rebuilt_at_each_check(
    loaded, no_revision_table, now, builds
):
    catalogue_snapshot(DAY1)
    now[0] += 4
    catalogue_snapshot(DAY1)
    now[0] += 2
    catalogue_snapshot(DAY1)
    assert builds == [DAY1, DAY1]
