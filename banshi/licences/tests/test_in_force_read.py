"""The licences in force read inside another statement (``selectors.in_force_query``, PostgreSQL):
what they answer for 免证 and for the profile's licence types is what the plain reads answer."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from banshi.cases import drafts
from banshi.cases.tests.factories import head, make_enterprise, make_person
from banshi.core.db import statement
from banshi.licences import selectors, services
from banshi.licences.models import Licence

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL=postgres://…)"
    ),
]


@pytest.fixture
def holders(catalogue):
    person = make_person("陈伟")
    return person, make_enterprise(person)


def read_in_force(person, enterprise) -> list[Licence]:
    sql, params = selectors.in_force_query(person, enterprise_key=str(int(enterprise.pk)))
    with statement(f"SELECT ({sql})", params) as cursor:
        return selectors.in_force_from_json(cursor.fetchone()[0])


def test_the_licences_read_are_those_in_force_of_both_holders_with_type_and_key(holders):
    person, enterprise = holders
    mine = services.record_existing("YYZZ", holder_person=person)
    firm = services.record_existing("YYZZ", holder_enterprise=enterprise)
    revoked = services.record_existing("SP-JY", holder_enterprise=enterprise)
    services.revoke(revoked, actor=head("SCJG"), reason="吊销")
    expired = services.record_existing("SP-JY", holder_person=person)
    Licence.objects.filter(pk=expired.pk).update(valid_to=dt.date(2025, 1, 1))
    services.record_existing("YYZZ", holder_enterprise=make_enterprise())  # someone else's
    read = read_in_force(person, enterprise)
    assert {licence.pk for licence in read} == {mine.pk, firm.pk}
    for licence in read:
        stored = Licence.objects.select_related("licence_type", "signing_key").get(pk=licence.pk)
        for field in Licence._meta.concrete_fields:
            assert getattr(licence, field.attname) == getattr(stored, field.attname), field.name
        assert licence.licence_type == stored.licence_type
        assert licence.licence_type.code == stored.licence_type.code
        assert licence.signing_key.public_key == stored.signing_key.public_key


def test_the_library_licence_taken_from_them_is_the_one_the_plain_read_finds(holders):
    person, enterprise = holders
    services.record_existing("YYZZ", holder_person=person)
    services.record_existing("YYZZ", holder_enterprise=enterprise)
    services.record_existing("SP-JY", holder_person=person)
    read = read_in_force(person, enterprise)
    for code in ("YYZZ", "SP-JY", "JMSFZ", ""):
        assert selectors.library_licence_among(
            read, person, enterprise, code
        ) == selectors.library_licence(person, enterprise, code), code
    assert selectors.library_licence_among(read, person, enterprise, "YYZZ").holder_enterprise_id


def test_the_licence_types_taken_from_them_are_what_held_by_reads(holders):
    person, enterprise = holders
    services.record_existing("YYZZ", holder_enterprise=enterprise)
    services.record_existing("SP-JY", holder_person=person)
    read = read_in_force(person, enterprise)
    assert selectors.held_codes_among(read) == selectors.held_by(person, enterprise)
    assert selectors.held_codes_among(read_in_force(None, enterprise)) == ["YYZZ"]


def test_a_draft_for_an_enterprise_read_by_its_credit_code_takes_the_licence_without_a_read(
    holders,
):
    person, enterprise = holders
    licence = services.record_existing("YYZZ", holder_enterprise=enterprise)
    known = drafts.enterprise_by_uscc(person, enterprise.uscc)
    draft = drafts.create_draft(
        person,
        item_code="SCJG-XK-001",
        subject=f"enterprise:{enterprise.pk}",
        known_enterprise=known,
    )
    with CaptureQueriesContext(connection) as captured:
        view = {view.code: view for view in drafts.material_views(draft)}["YYZZ-COPY"]
    assert not view.needs_upload and view.licence == licence
    assert not [q for q in captured.captured_queries if "licences_licence" in q["sql"]]


def test_a_person_s_own_licences_kept_answer_held_by_and_the_library(holders):
    person, _ = holders
    mine = services.record_existing("YYZZ", holder_person=person)
    drafts.read_for_applicant(person)
    with CaptureQueriesContext(connection) as captured:
        assert selectors.held_by(person, None) == ["YYZZ"]
        assert selectors.library_licence(person, None, "YYZZ") == mine
        assert selectors.library_licence(person, None, "SP-JY") is None
    assert captured.captured_queries == []
    other = make_person("王芳")  # another instance: nothing kept, read as before
    assert selectors.held_by(other, None) == []


def test_the_in_force_read_needs_a_holder():
    with pytest.raises(ValueError):
        selectors.in_force_query(None, enterprise_key=None)
