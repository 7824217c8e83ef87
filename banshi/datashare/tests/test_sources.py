"""The data-share sources are kept per process (``selectors.sources``): a submission normally reads
none; a change made in this process is seen at once, one made elsewhere (or without a signal)
after at most ``BANSHI_CATALOGUE_CHECK_SECONDS``."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from banshi.cases import drafts
from banshi.core.tests.clocks import hand_clock
from banshi.datashare import selectors
from banshi.datashare.models import DataShareCall, DataShareSource
from banshi.datashare.tests.test_fallback import catalogue  # noqa: F401  (fixture)
from banshi.portal.tests.applying import applicant

pytestmark = pytest.mark.django_db

SOURCE = "人口信息库"  # GA-HJ-001 asks for ID-CARD from it (the portal tests' catalogue)


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.BANSHI_CATALOGUE_CHECK_SECONDS = 5
    settings.BANSHI_DATASHARE_CACHE_SECONDS = 0  # every draft asks its source again


@pytest.fixture
def now(monkeypatch) -> list[float]:
    """The sources cache's clock, moved by hand: ``now[0] += 6``."""
    return hand_clock(monkeypatch, selectors)


@pytest.fixture
def person(catalogue):  # noqa: F811
    return applicant()[1]


def id_card_needs_upload(person) -> bool:
    """Whether a new draft of GA-HJ-001 asks ``person`` to upload the ID card (the source is off
    or unreachable) rather than taking it from data sharing."""
    draft = drafts.create_draft(person, item_code="GA-HJ-001")
    return {m.code: m for m in drafts.material_views(draft)}["ID-CARD"].needs_upload


def test_a_source_switched_off_in_this_process_is_seen_by_the_next_draft_at_once(person, now):
    source = DataShareSource.objects.create(code=SOURCE, provider="local")
    assert not id_card_needs_upload(person)  # the platform's own 一人一档 proves it
    source.enabled = False
    source.save()
    assert id_card_needs_upload(person)


def test_a_source_deleted_in_this_process_is_seen_at_once(person, now, settings):
    settings.BANSHI_DATASHARE_UNCONFIGURED = "none"  # a code nobody configured: upload
    source = DataShareSource.objects.create(code=SOURCE, provider="local")
    assert not id_card_needs_upload(person)
    DataShareCall.objects.all().delete()  # the calls protect the source row
    source.delete()
    assert id_card_needs_upload(person)


def test_a_change_without_a_signal_is_seen_after_the_check_interval(person, now):
    DataShareSource.objects.create(code=SOURCE, provider="local")
    assert not id_card_needs_upload(person)  # the sources are read and kept
    DataShareSource.objects.filter(code=SOURCE).update(enabled=False)  # as another process would
    now[0] += 4
    assert not id_card_needs_upload(person)  # still the kept row
    now[0] += 1
    assert id_card_needs_upload(person)


def test_a_draft_with_the_sources_kept_reads_no_source_row(person, now):
    DataShareSource.objects.create(code=SOURCE, provider="local")
    assert not id_card_needs_upload(person)
    with CaptureQueriesContext(connection) as captured:
        assert not id_card_needs_upload(person)
    table = DataShareSource._meta.db_table
    assert not [query for query in captured.captured_queries if table in query["sql"]]
    assert any("datashare_datasharecall" in query["sql"] for query in captured.captured_queries)


def test_a_read_that_raced_a_change_is_not_kept(person, now, monkeypatch):
    """A save in this process while another thread reads the rows: that read is not kept."""
    DataShareSource.objects.create(code=SOURCE, provider="local")
    real = DataShareSource.objects.all

    def racing():
        rows = list(real())
        selectors.invalidate_sources()  # the signal of a save meanwhile
        return rows

    monkeypatch.setattr(DataShareSource.objects, "all", racing)
    assert SOURCE in selectors.sources()
    monkeypatch.setattr(DataShareSource.objects, "all", real)
    DataShareSource.objects.filter(code=SOURCE).update(enabled=False)
    assert not selectors.sources()[SOURCE].enabled
