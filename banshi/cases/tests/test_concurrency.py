"""Concurrency on PostgreSQL, where ``select_for_update`` really locks (skipped on SQLite, whose
IMMEDIATE transactions serialise writers anyway and whose in-memory test database is not shared
between threads)."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from banshi.cases import services
from banshi.cases.errors import ConflictError
from banshi.cases.models import Application, CaseEvent
from banshi.cases.tests.factories import MONDAY, clerk, load_catalogue, make_person, submit
from banshi.core import clock

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL=postgres://…)"
    ),
]


def run_together(jobs: list[Callable[[], object]]) -> list[object]:
    """Run the jobs in threads released at the same moment; results or exceptions, in order."""
    barrier = threading.Barrier(len(jobs))
    results: list[object] = [None] * len(jobs)

    def worker(index: int, job: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results[index] = job()
        except Exception as error:  # collected for the assertions
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=item) for item in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def test_concurrent_submissions_get_unique_gap_free_numbers():
    load_catalogue()
    people = [make_person() for _ in range(8)]
    with clock.frozen(MONDAY):
        results = run_together(
            [lambda p=p: [submit(p, day=MONDAY).number for _ in range(5)] for p in people]
        )
    numbers = sorted(number for batch in results for number in batch)
    assert numbers == [f"BS-20250303-{n:06d}" for n in range(1, 41)]


def test_concurrent_retries_with_one_key_file_one_application():
    load_catalogue()
    person = make_person()
    with clock.frozen(MONDAY):
        results = run_together([lambda: submit(person, key="same", day=MONDAY) for _ in range(6)])
    assert Application.objects.count() == 1
    assert {result.pk for result in results} == {Application.objects.get().pk}


def test_two_clerks_racing_one_wins_the_other_gets_a_conflict():
    load_catalogue()
    application = submit()
    seen = application.version
    first, second = clerk(), clerk()
    with clock.frozen(MONDAY):
        results = run_together(
            [
                lambda: services.accept(application, first, seen),
                lambda: services.refuse_at_intake(
                    application, "无需许可", "", second, seen, ground="not_required"
                ),
            ]
        )
    conflicts = [r for r in results if isinstance(r, ConflictError)]
    assert len(conflicts) == 1, results
    application.refresh_from_db()
    assert application.version == seen + 1
    outcome = "accepted" if application.status == "in_progress" else "refused"
    assert CaseEvent.objects.filter(application=application, kind=outcome).count() == 1
    assert (
        CaseEvent.objects.filter(application=application, kind__in=["accepted", "refused"]).count()
        == 1
    )
