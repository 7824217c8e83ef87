"""The plain statements of the submission's hot path (banshi.core.db): what they write and read
must be what the ORM would write and read."""

import datetime as dt

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from banshi.cases.models import ApplicationDraft, DraftStatus, OutboxMessage
from banshi.core import clock, db
from banshi.core.db import (
    first_id,
    insert_rows,
    row_shape,
    select_models,
    statement,
    update_row,
)
from banshi.people.models import Enterprise, Person

pytestmark = pytest.mark.django_db


def _message(key: str, payload) -> OutboxMessage:
    now = clock.now()
    return OutboxMessage(
        topic="t.test", key=key, payload=payload, created_at=now, next_attempt_at=now
    )


def test_insert_rows_gives_each_instance_the_key_of_its_own_row():
    messages = [_message(f"k{n}", {"n": n}) for n in range(3)]
    insert_rows(messages)
    stored = {row.pk: row.key for row in OutboxMessage.objects.filter(topic="t.test")}
    assert stored == {message.pk: message.key for message in messages}
    assert not messages[0]._state.adding


def test_insert_rows_stores_json_and_moments_as_the_orm_reads_them():
    moment = dt.datetime(2026, 11, 24, 10, 30, 15, 123456, tzinfo=dt.UTC)
    message = _message("x", {"名称": "中文", "list": [1, 2], "none": None})
    message.created_at = moment
    insert_rows([message])
    stored = OutboxMessage.objects.get(pk=message.pk)
    assert stored.payload == {"名称": "中文", "list": [1, 2], "none": None}
    assert stored.created_at == moment
    assert stored.attempts == 0  # the model's default, as the ORM would write it


def test_insert_rows_fills_auto_now_fields():
    enterprise = Enterprise(uscc="91410100732147606J", name="测试公司")
    insert_rows([enterprise])
    stored = Enterprise.objects.get(pk=enterprise.pk)
    assert stored.created_at is not None
    assert stored.created_at == enterprise.created_at


def test_insert_rows_raises_the_integrity_error_of_a_duplicate():
    insert_rows([Enterprise(uscc="91410100732147606J", name="甲")])
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows([Enterprise(uscc="91410100732147606J", name="乙")])


def test_first_id_finds_the_row_whose_fields_all_match():
    messages = [_message("a", {}), _message("b", {})]
    insert_rows(messages)
    assert first_id(OutboxMessage, topic="t.test", key="b") == messages[1].pk


def test_first_id_is_none_when_no_row_matches():
    insert_rows([_message("a", {})])
    assert first_id(OutboxMessage, topic="t.test", key="z") is None
    assert first_id(OutboxMessage, topic="t.other", key="a") is None


def test_insert_rows_and_update_row_store_a_choice_by_its_value():
    message = _message("e", {})
    message.topic = DraftStatus.SUBMITTED
    insert_rows([message])
    assert OutboxMessage.objects.filter(pk=message.pk, topic="submitted").exists()
    assert update_row(OutboxMessage, message.pk, topic=DraftStatus.OPEN, attempts=3) == 1
    stored = OutboxMessage.objects.get(pk=message.pk)
    assert (stored.topic, stored.attempts) == ("open", 3)


def test_update_row_changes_nothing_for_a_missing_key():
    assert update_row(OutboxMessage, 987654321, attempts=3) == 0


def test_insert_rows_keeps_integers_texts_and_empty_values_as_given():
    message = _message("v", [])
    message.attempts, message.last_error, message.sent_at = 7, "", None
    insert_rows([message])
    stored = OutboxMessage.objects.get(pk=message.pk)
    assert (stored.attempts, stored.last_error, stored.sent_at) == (7, "", None)
    assert stored.payload == []


def test_insert_rows_writes_booleans_and_keys_as_given():
    person = Person(id_number="11010519491231002X", name="张三")
    insert_rows([person])
    draft = ApplicationDraft(
        owner_id=person.pk,
        bundle_code="X",
        title="t",
        consent_given=True,
        created_at=clock.now(),
        updated_at=clock.now(),
    )
    insert_rows([draft])
    stored = ApplicationDraft.objects.get(pk=draft.pk)
    assert (stored.owner_id, stored.consent_given) == (person.pk, True)


def test_select_models_builds_the_instances_the_orm_would():
    moment = dt.datetime(2026, 11, 24, 10, 30, 15, 123456, tzinfo=dt.UTC)
    message = _message("s", {"名称": "中文", "n": [1, 2]})
    message.created_at = moment
    insert_rows([message, _message("other", {})])
    (found,) = select_models(OutboxMessage, "t.key = %s", ["s"])
    expected = OutboxMessage.objects.get(pk=message.pk)
    for field in OutboxMessage._meta.concrete_fields:
        assert getattr(found, field.attname) == getattr(expected, field.attname), field.name
    assert not found._state.adding


def test_select_models_takes_an_order_and_a_limit():
    insert_rows([_message(key, {}) for key in ("b", "a", "c")])
    rows = select_models(OutboxMessage, "t.topic = %s", ["t.test"], tail="ORDER BY t.key LIMIT 2")
    assert [row.key for row in rows] == ["a", "b"]


def test_a_row_shape_gives_none_for_the_empty_side_of_an_outer_join():
    shape = row_shape(Person, "p")
    assert shape.build([None] * shape.width) is None


def test_statement_numbers_placeholders_and_keeps_a_literal_percent():
    """``%s`` become ``$1 … $n`` on the raw path; ``%%`` is one ``%`` on either path."""
    assert db._numbered("SELECT %s, '100%%', %s") == "SELECT $1, '100%', $2"
    with statement("SELECT %s || '%%', %s", ["50", 7]) as cursor:
        assert cursor.fetchone() == ("50%", 7)


def test_statement_runs_a_statement_of_more_than_fifty_parameters():
    """Multi-row inserts are the statements psycopg would re-parse every time (> 50 values)."""
    values = list(range(120))
    sql = "SELECT " + " + ".join(["%s"] * len(values))
    for _ in range(3):  # again and again: the numbered text is reused
        with statement(sql, values) as cursor:
            assert cursor.fetchone()[0] == sum(values)


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the raw cursor is PostgreSQL's (SQLite: plain)"
)
def test_statement_uses_a_raw_cursor_on_postgresql_unless_queries_are_logged():
    from psycopg import RawCursor

    with statement("SELECT %s", [1]) as cursor:
        assert isinstance(cursor.cursor, RawCursor)
    with CaptureQueriesContext(connection) as logged, statement("SELECT %s", [2]) as cursor:
        assert not isinstance(cursor.cursor, RawCursor) and cursor.fetchone() == (2,)
    assert "SELECT 2" in logged.captured_queries[-1]["sql"]


def test_statement_raises_django_database_errors():
    sql = "SELECT * FROM no_such_table WHERE id = %s"
    with pytest.raises(DatabaseError), transaction.atomic(), statement(sql, [1]):
        pass


def test_insert_rows_together_gives_each_group_the_keys_of_its_own_rows():
    messages = [_message(f"t{n}", {"n": n}) for n in range(3)]
    now = clock.now()
    person = Person.objects.create(id_number="11010519491231002X", name="甲")
    drafts = [
        ApplicationDraft(owner=person, bundle_code="B", title="t", created_at=now, updated_at=now)
        for _ in range(2)
    ]
    db.insert_rows_together(messages, [], drafts)
    assert {row.pk: row.key for row in OutboxMessage.objects.filter(key__startswith="t")} == {
        message.pk: message.key for message in messages
    }
    assert sorted(ApplicationDraft.objects.values_list("pk", flat=True)) == sorted(
        draft.pk for draft in drafts
    )
    assert not drafts[1]._state.adding


@pytest.mark.skipif(connection.vendor != "postgresql", reason="one statement on PostgreSQL only")
def test_insert_rows_together_is_one_statement_on_postgresql():
    with CaptureQueriesContext(connection) as captured:
        db.insert_rows_together([_message("a", {})], [_message("b", {}), _message("c", {})])
    assert len(captured.captured_queries) == 1


def test_insert_rows_sends_the_ready_text_of_a_json_text_value():
    """A JsonText is written from its text, not encoded again (the text is what is stored)."""
    shared = db.JsonText({"items": [1, 2]}, '{"items": [1, 2], "from_text": true}')
    messages = [_message(f"j{n}", shared) for n in range(2)]
    insert_rows(messages)
    stored = OutboxMessage.objects.filter(key__startswith="j").values_list("payload", flat=True)
    assert list(stored) == [{"items": [1, 2], "from_text": True}] * 2


def _attributes(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def test_build_makes_the_instance_the_constructor_makes():
    person = Person.objects.create(id_number="11010519491231002X", name="张三")
    now = clock.now()
    values = dict(owner=person, bundle_code="KBCYD", title="开办餐饮店", created_at=now)
    built, made = db.build(ApplicationDraft, **values), ApplicationDraft(**values)
    assert built.idempotency_key != made.idempotency_key  # a callable default: one per instance
    built.idempotency_key = made.idempotency_key
    assert _attributes(built) == _attributes(made)
    assert built._state.adding and built._state.db is None
    assert built.owner is person  # cached, as the constructor does: no query
    assert built.principal is None


def test_build_calls_a_callable_default_for_each_instance():
    first, second = db.build(ApplicationDraft, title="a"), db.build(ApplicationDraft, title="b")
    assert first.form_data == {} and first.form_data is not second.form_data


def test_build_takes_a_foreign_key_by_its_column_name_too():
    person = Person.objects.create(id_number="11010519491231002X", name="张三")
    draft = db.build(ApplicationDraft, owner_id=person.pk, title="t")
    assert draft.owner == person


def test_build_refuses_a_name_that_is_no_field_as_the_constructor_does():
    with pytest.raises(TypeError, match="nonsense"):
        db.build(ApplicationDraft, nonsense=1)


def test_build_leaves_a_model_with_init_receivers_to_its_constructor():
    from django.db.models.signals import post_init

    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance)

    post_init.connect(receiver, sender=Enterprise)
    try:
        db._BLUEPRINTS.pop(Enterprise, None)
        enterprise = db.build(Enterprise, name="某公司")
    finally:
        post_init.disconnect(receiver, sender=Enterprise)
        db._BLUEPRINTS.pop(Enterprise, None)
    assert seen == [enterprise]


def test_built_instances_insert_and_read_back_as_the_orm_stores_them():
    person = Person.objects.create(id_number="11010519491231002X", name="张三")
    now = clock.now()
    draft = db.build(
        ApplicationDraft,
        owner=person,
        bundle_code="KBCYD",
        title="t",
        form_data={"a": 1},
        created_at=now,
        updated_at=now,
    )
    insert_rows([draft])
    stored = ApplicationDraft.objects.get(pk=draft.pk)
    assert _attributes(stored) == _attributes(draft)


def test_loaded_makes_the_instance_from_db_makes():
    person = Person.objects.create(id_number="11010519491231002X", name="张三")
    shape = row_shape(Person)
    values = [getattr(person, name) for name in shape.attnames]
    loaded = db.loaded(Person, shape.attnames, values, "default")
    expected = Person.from_db("default", shape.attnames, values)
    assert _attributes(loaded) == _attributes(expected)
    assert not loaded._state.adding and loaded._state.db == "default"


needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL=postgres://…)"
)


@needs_postgresql
def test_a_chain_writes_rows_that_refer_to_earlier_ones_in_one_statement():
    from banshi.people.models import EnterpriseRole

    first = db.build(Person, id_number="11010519491231002X", name="甲")
    second = db.build(Person, id_number="110101199003077777", name="乙")
    enterprise = db.build(Enterprise, uscc="91350100M000100Y43", name="某公司")
    roles = [
        db.build(EnterpriseRole, person=second, enterprise=enterprise, kind="handler"),
        db.build(EnterpriseRole, person=first, enterprise=enterprise, kind="legal_representative"),
    ]
    chain = db.Chain()
    chain.add("p", [first, second])
    chain.add("e", [enterprise])
    chain.add(None, roles)
    with CaptureQueriesContext(connection) as captured:
        chain.run()
    assert len(captured.captured_queries) == 1
    stored = {
        (role.person.name, role.kind, role.enterprise.name)
        for role in EnterpriseRole.objects.select_related("person", "enterprise")
    }
    assert stored == {("乙", "handler", "某公司"), ("甲", "legal_representative", "某公司")}
    # the instances are as saved: keys, foreign keys, adding False
    assert roles[0].person_id == second.pk and roles[1].person_id == first.pk
    assert roles[0].enterprise_id == enterprise.pk and not roles[0]._state.adding
    assert Person.objects.get(pk=first.pk).name == "甲"


@needs_postgresql
def test_a_chain_sets_the_values_its_sql_columns_got():
    first = db.build(Person, id_number="11010519491231002X", name="甲")
    enterprise = db.build(
        Enterprise, uscc="91350100M000100Y43", name=db.Sql("%s || (SELECT id FROM p)", ["甲之"])
    )
    chain = db.Chain()
    chain.add("p", [first])
    chain.add("e", [enterprise])
    chain.run()
    assert enterprise.name == f"甲之{first.pk}" == Enterprise.objects.get(pk=enterprise.pk).name


@needs_postgresql
def test_a_chain_writes_nothing_when_one_row_fails():
    first = db.build(Person, id_number="11010519491231002X", name="甲")
    twin = db.build(Person, id_number="11010519491231002X", name="甲")  # a unique identifier
    chain = db.Chain()
    chain.add("p", [first])
    chain.add("q", [twin])
    with pytest.raises(IntegrityError), transaction.atomic():
        chain.run()
    assert not Person.objects.exists()


def test_a_chain_is_refused_where_it_is_not_one_statement():
    if connection.vendor == "postgresql":
        pytest.skip("SQLite only: PostgreSQL runs the chain")
    chain = db.Chain()
    chain.add("p", [db.build(Person, id_number="11010519491231002X", name="甲")])
    with pytest.raises(NotImplementedError):
        chain.run()


@needs_postgresql
def test_a_chain_writes_a_key_given_as_sql():
    person = db.build(Person, id_number="11010519491231002X", name="甲")
    person.pk = db.Sql("nextval(pg_get_serial_sequence('people_person', 'id')) + 1000")
    chain = db.Chain()
    chain.add("p", [person])
    chain.run()
    assert person.pk > 1000 and Person.objects.get(pk=person.pk).name == "甲"


@needs_postgresql
def test_a_row_read_as_json_is_the_instance_the_orm_reads():
    moment = dt.datetime(2026, 11, 24, 10, 30, 15, 123456, tzinfo=dt.UTC)
    message = _message("x", {"名称": "中文", "n": 1.5, "list": [1, 2], "none": None})
    message.created_at = moment
    insert_rows([message])
    read = db.JsonRows(OutboxMessage, "t.id = %s", [message.pk])
    with statement(f"SELECT {read.sql()}", read.params) as cursor:
        read.take(cursor.fetchone()[0])
    (built,) = read.rows
    stored = OutboxMessage.objects.get(pk=message.pk)
    for field in OutboxMessage._meta.concrete_fields:
        assert getattr(built, field.attname) == getattr(stored, field.attname), field.name
    assert built.created_at == moment and built.created_at.utcoffset() == dt.timedelta(0)
    assert not built._state.adding and built._state.db == "default"


@needs_postgresql
def test_rows_read_as_json_keep_dates_and_foreign_keys():
    from banshi.people.models import EnterpriseRole

    person = Person.objects.create(id_number="11010519491231002X", name="甲")
    enterprise = Enterprise.objects.create(uscc="91350100M000100Y43", name="某公司")
    role = EnterpriseRole.objects.create(person=person, enterprise=enterprise, kind="handler")
    read = db.JsonRows(EnterpriseRole, "t.enterprise_id = %s", [enterprise.pk])
    with statement(f"SELECT {read.sql()}", read.params) as cursor:
        read.take(cursor.fetchone()[0])
    assert [(row.pk, row.person_id, row.enterprise_id, row.kind) for row in read.rows] == [
        (role.pk, person.pk, enterprise.pk, "handler")
    ]


@needs_postgresql
def test_json_rows_that_match_nothing_are_an_empty_list_and_none_until_read():
    read = db.JsonRows(Person, "t.id = %s", [-1])
    assert read.rows is None  # not read yet: the caller reads them itself
    with statement(f"SELECT {read.sql()}", read.params) as cursor:
        read.take(cursor.fetchone()[0])
    assert read.rows == []


def test_a_binary_column_or_a_wide_decimal_is_refused_as_json():
    from django.db import models

    for field in (models.BinaryField(), models.DecimalField(max_digits=20, decimal_places=2)):
        field.set_attributes_from_name("value")
        with pytest.raises(TypeError):
            db._json_reader(field)


def _as_sent(value):
    return getattr(value, "obj", value)  # a JSON value: its object


@pytest.mark.filterwarnings("ignore:DateTimeField .* received a naive datetime")
@pytest.mark.parametrize(
    "moment",
    [
        dt.datetime(2026, 11, 24, 10, 30, tzinfo=dt.UTC),
        dt.datetime(2026, 11, 24, 10, 30),  # naive: the field makes it aware
    ],
)
def test_prepared_values_are_what_the_fields_send(moment):
    from banshi.core.db import _insert_fields, prepared_values

    message = _message("k", {"n": 1})
    message.created_at = moment
    fields = _insert_fields(OutboxMessage)
    expected = [f.get_db_prep_save(f.pre_save(message, True), connection) for f in fields]
    assert [_as_sent(v) for v in prepared_values(message, fields)] == [
        _as_sent(v) for v in expected
    ]


def test_prepared_dates_are_what_the_fields_send():
    from banshi.core.db import _insert_fields, prepared_values
    from banshi.licences.models import Licence

    licence = Licence(
        issued_on=dt.date(2026, 1, 2),
        valid_from=dt.datetime(2026, 1, 3, 8, 0, tzinfo=dt.UTC),  # a datetime in a DateField
        valid_to=None,
    )
    fields = _insert_fields(Licence)  # all of them: the preparers are made once per model
    expected = [f.get_db_prep_save(f.pre_save(licence, True), connection) for f in fields]
    dates = [i for i, f in enumerate(fields) if f.name in ("issued_on", "valid_from", "valid_to")]
    prepared = prepared_values(licence, fields)
    assert [prepared[i] for i in dates] == [expected[i] for i in dates]
