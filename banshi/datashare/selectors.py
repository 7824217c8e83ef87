"""Read queries on data sharing: the configured sources (:class:`DataShareSource`), kept per process.

Why a cache: every submission with a data-share material asks which source answers it, and the
sources are a handful of rows an administrator edits a few times a year. :func:`sources` keeps
all of them per process, so a submission normally reads none.

How it stays true (the catalogue snapshot's rules, ``catalog.selectors.catalogue_snapshot``):

* a save or delete in this process (the admin, a script) drops the cache at once, and again when
  its transaction commits (``signals``), so this process's next submission sees it;
* a change made by another process, or one that sends no signal (``QuerySet.update``, raw SQL), is
  seen after at most ``BANSHI_CATALOGUE_CHECK_SECONDS``, when the rows are read again (one small
  statement). A change made here and then rolled back is forgotten within the same time.

Why not part of the catalogue snapshot's revision (``catalog.models.SNAPSHOT_MODELS``): the revision
moves only through signals, so a raw edit of a source would last until
``BANSHI_CATALOGUE_MAX_AGE_SECONDS`` (ten minutes), an edited source would rebuild the whole
catalogue (a dozen queries, 50–300 ms) in every process, and the catalogue app would depend on
data sharing. Re-reading the few source rows on the timer costs what reading the revision costs.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings

from banshi.datashare.models import DataShareSource


@dataclass(frozen=True)
class _Sources:
    rows: Mapping[str, DataShareSource]  # by code
    read_at: float  # _monotonic() when the rows were read


_cache: _Sources | None = None
_lock = threading.Lock()
_generation = 0  # moved by invalidate_sources, so a read that raced it is not kept
_monotonic = time.monotonic  # indirection for tests (the catalogue snapshot's clock)


def sources() -> Mapping[str, DataShareSource]:
    """Every data-share source by code, as read at most ``BANSHI_CATALOGUE_CHECK_SECONDS`` ago
    (or since the last change in this process). Treat the rows as read-only: threads of a process
    share them."""
    global _cache
    now = _monotonic()
    with _lock:
        generation = _generation
        cached = _cache
    if cached is not None and now - cached.read_at < settings.BANSHI_CATALOGUE_CHECK_SECONDS:
        return cached.rows
    rows = {row.code: row for row in DataShareSource.objects.all()}
    with _lock:
        if generation == _generation:  # no change in this process since the read began
            _cache = _Sources(rows, now)
    return rows


def invalidate_sources() -> None:
    """Forget the cached sources (a source was saved or deleted in this process)."""
    global _cache, _generation
    with _lock:
        _generation += 1
        _cache = None
