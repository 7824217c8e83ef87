"""Small database helpers: claiming rows for background work, and the plain statements of the
submission's hot path (probes and multi-row inserts that skip the ORM's query compilation)."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
import weakref
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Model, QuerySet, signals
from django.db.models.base import ModelState


def skip_locked(queryset: QuerySet) -> QuerySet:
    """``FOR UPDATE SKIP LOCKED`` where the database has it (PostgreSQL), so several workers claim
    different rows; plain on SQLite, whose writers are serialised anyway."""
    features = connection.features
    if features.has_select_for_update and features.has_select_for_update_skip_locked:
        if features.has_select_for_update_of:
            return queryset.select_for_update(skip_locked=True, of=("self",))
        return queryset.select_for_update(skip_locked=True)
    return queryset


def current() -> Any:
    """The default database's connection wrapper itself. ``django.db.connection`` is a proxy that
    looks the wrapper up again (a thread-local read) on every attribute; the hot path looks it up
    once per call and passes it on, to the fields' methods too."""
    return connections[DEFAULT_DB_ALIAS]


@contextmanager
def statement(sql: str, params: Sequence[Any], db: Any = None) -> Iterator[Any]:
    """Run one hand-written statement (``%s`` placeholders, ``%%`` for a literal ``%``) and yield
    the cursor to read its rows or row count: what ``with connection.cursor() as c:
    c.execute(sql, params)`` does, for the statements of the hot paths.

    On PostgreSQL with server-side binding (the default, ``banshi.env``) the statement goes
    through a psycopg ``RawCursor`` with its ``$n`` placeholders numbered here once per statement
    text: psycopg re-parses the text of every statement with more than 50 parameters (its cache
    leaves out multi-row inserts on purpose), which cost the submission about a tenth of its
    CPU. The cursor is Django's wrapper around it, so database errors, execute wrappers and the
    connection's health check behave as with ``connection.cursor()``; where queries are being
    logged (``DEBUG``, ``assertNumQueries``) Django's own cursor is used, as it logs them."""
    if db is None:
        db = current()  # the wrapper itself: each `connection.x` is a lookup
    if db.vendor == "postgresql" and db.features.uses_server_side_binding and not db.queries_logged:
        db.close_if_health_check_failed()
        db.ensure_connection()
        db.validate_thread_sharing()
        cursor = db.make_cursor(_raw_cursor(db.connection))
        cursor.execute(_numbered(sql), params)
        yield cursor
        return
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        yield cursor


_RAW_CURSORS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _raw_cursor(conn: Any) -> Any:
    """The psycopg connection's raw cursor for :func:`statement`, made once per connection:
    every statement reads its rows inside its own block, so one cursor serves them in turn
    (it is never closed here; it goes with its connection). Connections are per thread."""
    cursor = _RAW_CURSORS.get(conn)
    if cursor is None or cursor.closed:
        from psycopg import RawCursor

        cursor = _RAW_CURSORS[conn] = RawCursor(conn)
    return cursor


_PLACEHOLDER = re.compile(r"%%|%s")
_NUMBERED: dict[str, str] = {}
_NUMBERED_KEPT = 1024  # distinct statement texts (they repeat: one per shape and row count)


def _numbered(sql: str) -> str:
    """``sql`` with ``%s`` numbered ``$1``, ``$2``, … and ``%%`` as ``%`` (PostgreSQL's own
    placeholders, as a psycopg raw cursor takes them); memoised per text."""
    found = _NUMBERED.get(sql)
    if found is None:
        numbers = itertools.count(1)
        found = _PLACEHOLDER.sub(
            lambda match: "%" if match.group() == "%%" else f"${next(numbers)}", sql
        )
        if len(_NUMBERED) >= _NUMBERED_KEPT:
            _NUMBERED.clear()
        _NUMBERED[sql] = found
    return found


def insert_rows(objs: Sequence[Model]) -> None:
    """Insert unsaved instances of ONE model with one hand-written multi-row ``INSERT …
    RETURNING`` (PostgreSQL and SQLite ≥ 3.35 both have it) and set their primary keys.

    The hot paths (the submission: application, cases, events, outbox) write a handful of rows
    per request; the ORM's insert compiler costs several times the statement itself in CPU, this
    costs a plain cursor call. The values are prepared by the model's own fields (``pre_save``
    for ``auto_now``, ``get_db_prep_save`` for JSON, dates, time zones), so the model stays the
    schema. Sends no signals, like ``bulk_create``: use it only for models without receivers."""
    if not objs:
        return
    db = current()
    sql, params = _insert_sql(objs, db)
    with statement(sql, params, db) as cursor:
        ids = [row_[0] for row_ in cursor.fetchall()]
    _saved(objs, ids, db.alias)


def insert_rows_together(*groups: Sequence[Model]) -> None:
    """:func:`insert_rows` for several groups of rows (each of one model) that do not refer to
    each other, in ONE statement on PostgreSQL (a ``WITH`` of the groups' inserts: the
    submission's case links and events); one statement per group elsewhere."""
    groups = tuple(group for group in groups if group)
    db = current()
    if db.vendor != "postgresql" or len(groups) < 2:
        for group in groups:
            insert_rows(group)
        return
    parts, selects, params = [], [], []
    for number, group in enumerate(groups):
        sql, values = _insert_sql(group, db)
        parts.append(f"g{number} AS ({sql})")
        selects.append(
            f"SELECT {number}, {db.ops.quote_name(group[0]._meta.pk.column)} FROM g{number}"
        )
        params += values
    with statement(f"WITH {', '.join(parts)} {' UNION ALL '.join(selects)}", params, db) as cursor:
        rows = cursor.fetchall()
    for number, group in enumerate(groups):
        _saved(group, [value for which, value in rows if which == number], db.alias)


def _insert_sql(objs: Sequence[Model], db: Any) -> tuple[str, list[Any]]:
    """The multi-row ``INSERT … RETURNING`` of ``objs`` (one model) and its parameters; the
    statement text is made once per model, row count and database."""
    model = type(objs[0])
    key = (model, len(objs), db.vendor)
    sql = _INSERTS.get(key)
    if sql is None:
        meta = model._meta
        ops = db.ops
        row = "(" + ", ".join(["%s"] * len(_insert_fields(model))) + ")"
        sql = _INSERTS[key] = "INSERT INTO {} ({}) VALUES {} RETURNING {}".format(
            ops.quote_name(meta.db_table),
            ", ".join(ops.quote_name(field.column) for field in _insert_fields(model)),
            ", ".join([row] * len(objs)),
            ops.quote_name(meta.pk.column),
        )
    preparers = _preparers(model, _insert_fields(model), db.vendor)
    params: list[Any] = []
    for obj in objs:
        params.extend(prepare(obj, db) for prepare in preparers)
    return sql, params


_INSERTS: dict[tuple[type[Model], int, str], str] = {}


class Sql:
    """An SQL expression (with its own ``%s`` parameters) written by a :class:`Chain` in place
    of a column's value: a value of a row written earlier in the same statement, a number drawn
    from a sequence row. The chain reads back the value the column got and sets it on the
    instance (so only types JSON can carry: keys, numbers, texts, JSON, moments)."""

    __slots__ = ("params", "sql")

    def __init__(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.sql = sql
        self.params = list(params)

    def __repr__(self) -> str:
        return f"Sql({self.sql!r})"


@contextmanager
def chain_atomic() -> Iterator[None]:
    """``transaction.atomic()`` for a block whose writes are ONE :class:`Chain`, run as the
    block's last step (a filing: :func:`banshi.cases.services.number_filed`).

    When nothing has run on the connection since the block began (the reads came before it) and
    the chain runs outside any inner block, its statement is the whole transaction: it runs in
    autocommit, without the ``BEGIN`` and ``COMMIT`` round trips (each costs a filing about 2 %
    of its CPU in ``banshi bench submit``), and the day's number sequence row is locked for
    that one statement only. PostgreSQL runs a statement all or nothing, so nothing is
    half-written either way. Otherwise (something ran before it, a savepoint, SQLite, an outer
    transaction) it is the plain atomic block, as before.

    Nothing may run on the connection after such a chain inside the block: its work is
    committed, so a later statement could not be rolled back with it; such a statement is
    refused (``TransactionManagementError``). The block's ``on_commit`` callbacks run at its
    end, as always: the rows are committed by then."""
    from django.db import transaction

    db = current()
    if db.vendor != "postgresql" or db.in_atomic_block:
        with transaction.atomic():
            yield
        return
    block = _ChainBlock()
    with transaction.atomic():
        db.__dict__[_CHAIN_BLOCK] = block
        db.execute_wrappers.append(block.guard)
        try:
            yield
        finally:
            db.__dict__.pop(_CHAIN_BLOCK, None)
            db.execute_wrappers.remove(block.guard)


_CHAIN_BLOCK = "_banshi_chain_block"


class _ChainBlock:
    """The state of one :func:`chain_atomic` block: whether its chain ran as the transaction."""

    def __init__(self) -> None:
        self.committed = False

    def guard(self, execute, sql, params, many, context):
        if self.committed:
            from django.db.transaction import TransactionManagementError

            raise TransactionManagementError(
                "the chain committed this block's work; nothing may run after it in the block"
            )
        return execute(sql, params, many, context)

    def takes(self, db: Any) -> bool:
        """Whether a chain run now can be the transaction itself: nothing ran since the block
        began (the connection has no transaction open yet) and no inner block is open."""
        from psycopg import pq

        conn = db.connection
        return (
            not self.committed
            and conn is not None
            and not db.savepoint_ids
            and not db.needs_rollback
            and conn.pgconn.transaction_status == pq.TransactionStatus.IDLE
        )


def _end_autocommit(conn: Any) -> None:
    """Back to the block's transaction mode after a chain ran as its own transaction; a broken
    connection is left as it is (Django closes it after the error that broke it)."""
    import psycopg

    with suppress(psycopg.Error):
        conn.autocommit = False


class Chain:
    """Rows of several models written by ONE statement on PostgreSQL (a ``WITH`` of
    data-modifying steps), where later rows take values of earlier ones: a foreign key to an
    unsaved instance of an earlier step becomes that row's key, and a column whose value is
    :class:`Sql` an expression over earlier steps. After :meth:`run` every instance has its key,
    its foreign keys and the values of its ``Sql`` columns, as if each had been saved in turn.

    Why: a filing writes an application, its cases, their events and links, the draft and its
    consent, the idempotency record and the outbox row, and numbers the application and its
    cases from the day's sequence row: six round trips, and the numbered application and case
    rows written twice (a number is in a unique index, so the second version goes through every
    index of the table). In one statement each row is written once, with its number, and the
    sequence row is locked from that statement to the commit only.

    Steps run in the order added (:meth:`first` puts one before all); rows of one step get their
    keys in the order given (a multi-row ``VALUES``; references to a row use that order). A step
    returns its rows' keys and their ``Sql`` columns: what ``Sql`` values of later steps may read
    from it. Foreign keys are checked at the commit (Django makes them deferrable), so a step may
    refer to a row of a later one by an ``Sql`` value (a key drawn with ``nextval``)."""

    def __init__(self) -> None:
        self._first: list[tuple[str, str, list]] = []
        self._steps: list[tuple[str, Sequence[Model]]] = []
        self._where: dict[int, tuple[str, int]] = {}  # id(instance) -> (step, position)

    def first(self, name: str, sql: str, params: Sequence[Any] = ()) -> None:
        """A step written before all model steps: ``sql`` is one data-modifying statement with
        ``RETURNING`` (the sequence row's update), whose columns later steps read."""
        self._first.append((name, sql, list(params)))

    def add(self, name: str | None, objs: Sequence[Model]) -> None:
        """Unsaved instances of ONE model, written after the steps added before; ``name`` (for
        ``Sql`` values that read the step) is made up when not given."""
        if name is None:
            name = f"r{len(self._steps)}"
        if objs:
            for position, obj in enumerate(objs):
                self._where[id(obj)] = (name, position)
            self._steps.append((name, objs))

    def run(self) -> None:
        """Write every step in one statement and give the instances what the rows got."""
        db = current()
        if db.vendor != "postgresql":
            raise NotImplementedError("a chain of inserts is one PostgreSQL statement")
        sql, params, read, links = self._compose(db)
        found: dict[str, list[dict]] = {}
        block = db.__dict__.get(_CHAIN_BLOCK)
        alone = block is not None and block.takes(db)
        if alone:  # the statement is the transaction (see chain_atomic)
            db.connection.autocommit = True
        try:
            with statement(sql, params, db) as cursor:
                for name, text in cursor.fetchall():
                    found.setdefault(name, []).append(json.loads(text))
        finally:
            if alone:
                block.committed = True  # or rolled back by itself: nothing may follow
                _end_autocommit(db.connection)
        for name, objs, returned in read:
            for obj, row in zip(objs, found.get(name, ()), strict=True):
                for attname, field in returned:
                    setattr(obj, attname, field.to_python(row[field.column]))
                state = obj._state
                state.adding = False
                state.db = db.alias
        for obj, field, related in links:
            setattr(obj, field.attname, related.pk)

    def _compose(self, db: Any) -> tuple[str, list[Any], list, list]:
        """The statement and its parameters; what to read back onto which instances; and the
        foreign keys to set from the keys of rows written in the same statement."""
        quote = db.ops.quote_name
        parts = [f"{name} AS ({sql})" for name, sql, _ in self._first]
        params: list[Any] = [value for _, _, values in self._first for value in values]
        selects, read, links = [], [], []
        for name, objs in self._steps:
            shape = _chain_shape(type(objs[0]), db)
            keyed = any(type(obj.pk) is Sql for obj in objs)  # a key drawn in SQL
            returned = {shape.pk.attname: shape.pk}
            rows = []
            for obj in objs:
                # the instance's own values (its __dict__: no descriptor per field); a row is
                # plain unless a value is Sql or a foreign key waits for a row written here
                values = obj.__dict__
                unset = [i for i, attname in shape.relations if values.get(attname) is None]
                if not unset and Sql not in map(type, values.values()):
                    rows.append(shape.plain_row)
                    params.extend([prepare(obj, db) for prepare in shape.preparers])
                    if keyed:
                        rows[-1] = "(DEFAULT, " + rows[-1][1:]
                    continue
                # a row with Sql values or references: only those slots are looked at one by one
                special = set(unset)
                if Sql in map(type, values.values()):
                    special.update(
                        index
                        for index, attname in enumerate(shape.attnames)
                        if type(values.get(attname)) is Sql
                    )
                slots = ["DEFAULT"] if keyed and type(obj.pk) is not Sql else []
                if keyed and type(obj.pk) is Sql:
                    slots.append(self._slot(obj.pk, params))
                start = 0
                for index in sorted(special):
                    slots.extend(shape.placeholders[start:index])
                    params.extend([prepare(obj, db) for prepare in shape.preparers[start:index]])
                    start = index + 1
                    field = shape.fields[index]
                    value = values.get(field.attname)
                    if type(value) is Sql:
                        slots.append(self._slot(value, params))
                        returned[field.attname] = field
                        continue
                    related = obj._state.fields_cache.get(field.name)
                    where = None if related is None else self._where.get(id(related))
                    if where is None:  # no related row, or one written already: its value
                        slots.append("%s")
                        params.append(shape.preparers[index](obj, db))
                        continue
                    key = _quoted_key(type(related), db)
                    slots.append(
                        f"(SELECT {key} FROM {where[0]} ORDER BY {key} LIMIT 1 OFFSET {where[1]})"
                    )
                    links.append((obj, field, related))
                slots.extend(shape.placeholders[start:])
                params.extend([prepare(obj, db) for prepare in shape.preparers[start:]])
                rows.append(f"({', '.join(slots)})")
            columns = f"{quote(shape.pk.column)}, {shape.columns}" if keyed else shape.columns
            parts.append(
                f"{name} AS (INSERT INTO {shape.table} ({columns}) VALUES {', '.join(rows)} "
                f"RETURNING {', '.join(quote(f.column) for f in returned.values())})"
            )
            selects.append(f"SELECT '{name}', row_to_json({name})::text FROM {name}")
            read.append((name, objs, list(returned.items())))
        sql = f"WITH {', '.join(parts)} {' UNION ALL '.join(selects)}"
        return sql, params, read, links

    @staticmethod
    def _slot(value: Sql, params: list[Any]) -> str:
        params.extend(value.params)
        return value.sql


class _ChainShape:
    """What :meth:`Chain.run` needs of one model, made once per model and database."""

    def __init__(self, model: type[Model], db: Any) -> None:
        quote = db.ops.quote_name
        meta = model._meta
        self.pk = meta.pk
        self.table = quote(meta.db_table)
        self.fields = _insert_fields(model)
        self.preparers = _preparers(model, self.fields, db.vendor)
        self.columns = ", ".join(quote(field.column) for field in self.fields)
        self.placeholders = ["%s"] * len(self.fields)
        self.plain_row = "(" + ", ".join(self.placeholders) + ")"
        self.attnames = [field.attname for field in self.fields]
        self.relations = [
            (index, field.attname) for index, field in enumerate(self.fields) if field.is_relation
        ]


_CHAIN_SHAPES: dict[tuple[type[Model], str], _ChainShape] = {}
_QUOTED_KEYS: dict[tuple[type[Model], str], str] = {}


def _quoted_key(model: type[Model], db: Any) -> str:
    found = _QUOTED_KEYS.get((model, db.vendor))
    if found is None:
        found = _QUOTED_KEYS[(model, db.vendor)] = db.ops.quote_name(model._meta.pk.column)
    return found


def _chain_shape(model: type[Model], db: Any) -> _ChainShape:
    found = _CHAIN_SHAPES.get((model, db.vendor))
    if found is None:
        found = _CHAIN_SHAPES[(model, db.vendor)] = _ChainShape(model, db)
    return found


def _insert_fields(model: type[Model]) -> list:
    """The concrete fields an insert writes (all but the key), in the model's order."""
    found = _FIELDS.get(model)
    if found is None:
        found = _FIELDS[model] = [f for f in model._meta.concrete_fields if not f.primary_key]
    return found


_FIELDS: dict[type[Model], list] = {}


def _saved(objs: Sequence[Model], ids: Sequence[Any], alias: str) -> None:
    """Give inserted instances their keys and mark them saved, as the ORM does."""
    attname = type(objs[0])._meta.pk.attname
    for obj, value in zip(objs, ids, strict=True):
        setattr(obj, attname, value)
        state = obj._state
        state.adding = False
        state.db = alias


# Python types a field of these kinds sends to the database as they are: the field's
# get_db_prep_save() would return the same value (str for text, int for integers and keys, bool
# for booleans), so the hot path skips the generic call for them.
_AS_IS: dict[str, type] = {
    "CharField": str,
    "TextField": str,
    "SlugField": str,
    "IntegerField": int,
    "BigIntegerField": int,
    "SmallIntegerField": int,
    "PositiveIntegerField": int,
    "PositiveBigIntegerField": int,
    "PositiveSmallIntegerField": int,
    "BooleanField": bool,
}
_PREPARERS: dict[tuple[type[Model], str], list] = {}


def prepared_values(obj: Model, fields: list) -> list[Any]:
    """``obj``'s values of ``fields`` (its model's concrete fields without the key, in order) as
    the database takes them: what :func:`insert_rows` sends, for a hand-written ``INSERT``."""
    db = current()
    return [prepare(obj, db) for prepare in _preparers(type(obj), fields, db.vendor)]


def _preparers(model: type[Model], fields: list, vendor: str) -> list:
    """One function per field giving an instance's value as the database takes it: what
    ``field.get_db_prep_save(field.pre_save(obj, True), connection)`` gives, with the generic call
    skipped where the value already is what the column takes (see ``_AS_IS``; foreign keys by
    their target's kind). Built once per model and database."""
    key = (model, vendor)
    found = _PREPARERS.get(key)
    if found is None:
        found = _PREPARERS[key] = [_preparer(field, vendor) for field in fields]
    return found


def _preparer(field, vendor: str):
    from django.db.models import DateField, DateTimeField, Field

    target = field.target_field if field.is_relation and field.concrete else field
    plain = _AS_IS.get(target.get_internal_type().replace("Auto", "Integer"))
    overrides_pre_save = type(field).pre_save is not Field.pre_save
    aware = False  # an aware datetime goes as it is
    if type(field) in (DateField, DateTimeField):  # pre_save only sets auto_now(_add) values
        overrides_pre_save = field.auto_now or field.auto_now_add
        # PostgreSQL's operations adapt dates and datetimes by returning them, and the field's
        # get_prep_value changes only naive datetimes (made aware, with a warning) and datetimes
        # given to a DateField (their date)
        if vendor == "postgresql":
            if type(field) is DateTimeField:
                aware = True
            else:
                plain = dt.date
    attname = field.attname
    missing = object()

    def prepare(obj: Model, db: Any) -> Any:
        if overrides_pre_save:
            value = field.pre_save(obj, True)
        else:  # the instance's own value, without the field's descriptor when it is there
            value = obj.__dict__.get(attname, missing)
            if value is missing:
                value = getattr(obj, attname)
        if value is None or (plain is not None and type(value) is plain):
            return value
        if aware and type(value) is dt.datetime and value.tzinfo is not None:
            return value
        if type(value) is JsonText:
            return _json_text_value(value, db.vendor)
        return field.get_db_prep_save(value, db)

    return prepare


class JsonText(dict):
    """A JSON object stored as it is by many rows (an application's compiled plan: every
    application filed with the same plan stores the same object), with its text made once:
    :func:`insert_rows` sends ``text`` instead of encoding the object again for every row.
    ``text`` must be what the field's own encoder writes (``json.dumps(value, cls=encoder)``);
    never change the object after making it (it is shared)."""

    __slots__ = ("text",)

    def __init__(self, value: dict, text: str) -> None:
        super().__init__(value)
        self.text = text


def _json_text_value(value: JsonText, vendor: str) -> Any:
    """What a JSON field's ``get_db_prep_save`` gives for ``value``, with its ready text."""
    if vendor == "postgresql":
        from psycopg.types.json import Jsonb

        return Jsonb(value, dumps=lambda _obj, text=value.text: text)
    return value.text


def first_id(model: type[Model], **equal: Any) -> Any:
    """The primary key of one row of ``model`` whose fields equal ``equal`` (field names; a
    foreign key is given by the related row's key), or None: one plain ``SELECT … LIMIT 1``.

    For the probes most requests answer "no" to (is this idempotency key known? is this
    application already filed?): a plain cursor call costs a fraction of the ORM's query
    compilation (≈ 0.08 against ≈ 0.6 ms of CPU); the caller reads the row only when it exists."""
    meta = model._meta
    ops = connection.ops
    where, params = [], []
    for name, value in equal.items():
        field = meta.get_field(name)
        where.append(f"{ops.quote_name(field.column)} = %s")
        params.append(field.get_db_prep_value(value, connection))
    sql = "SELECT {} FROM {} WHERE {} LIMIT 1".format(
        ops.quote_name(meta.pk.column), ops.quote_name(meta.db_table), " AND ".join(where)
    )
    with statement(sql, params) as cursor:
        row = cursor.fetchone()
    return None if row is None else row[0]


def update_row(model: type[Model], pk: Any, **values: Any) -> int:
    """``UPDATE … SET … WHERE pk = …`` for one row with one plain statement (field names; a
    foreign key is given by the related row's key, values prepared by the model's fields);
    returns the number of rows changed (0 or 1). Like ``QuerySet.update`` it sends no signals and
    runs no ``auto_now``: give every value that changes."""
    meta = model._meta
    quote = connection.ops.quote_name
    fields = [meta.get_field(name) for name in values]
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        quote(meta.db_table),
        ", ".join(f"{quote(field.column)} = %s" for field in fields),
        quote(meta.pk.column),
    )
    params = [
        field.get_db_prep_save(value, connection)
        for field, value in zip(fields, values.values(), strict=True)
    ]
    with statement(sql, [*params, meta.pk.get_db_prep_value(pk, connection)]) as cursor:
        return cursor.rowcount


class _Blueprint:
    """How :func:`build` makes instances of one model: the default of every concrete field, split
    into the values shared by every instance (``None``, ``""``, a constant) and the callables
    called for each (``dict``, ``uuid4``); the foreign keys by name. Made once per model."""

    def __init__(self, model: type[Model]) -> None:
        from django.db.models.fields import return_None

        meta = model._meta
        self.model = model
        # Model.__init__ does more than set attributes where a model overrides it, where it has
        # pre/post-init receivers or non-concrete fields (GenericForeignKey): build() leaves
        # those to it.
        self.plain = (
            model.__init__ is Model.__init__
            and len(meta.fields) == len(meta.concrete_fields)
            and not signals.pre_init.has_listeners(model)
            and not signals.post_init.has_listeners(model)
        )
        self.shared: dict[str, Any] = {}
        self.called: list[tuple[str, Any]] = []
        self.names: dict[str, Any] = {}
        for field in meta.concrete_fields:
            self.names[field.attname] = None
            default = field._get_default
            if default is return_None:
                self.shared[field.attname] = None
            elif default is str:
                self.shared[field.attname] = ""
            elif field.has_default() and not callable(field.default):
                self.shared[field.attname] = field.default
            else:
                self.called.append((field.attname, default))
            if field.is_relation:
                self.names[field.name] = field


_BLUEPRINTS: dict[type[Model], _Blueprint] = {}


def build(model: type[Model], **values: Any) -> Model:
    """An unsaved instance of ``model``: what ``model(**values)`` makes, for the rows the
    submission's hot path creates by the handful (cases, events, the draft): ``Model.__init__``
    checks every keyword against every field and sets each through its descriptor, which cost
    about a tenth of a filing's CPU. ``values`` are concrete fields by attribute name
    (``application_id``) or, for a foreign key, by field name with the related instance
    (cached on the new one, as the constructor does); other fields get their defaults. A name
    that is not a concrete field is an error, as in the constructor. Models the fast way does
    not fit (see :class:`_Blueprint`) are made by their constructor."""
    blueprint = _BLUEPRINTS.get(model)
    if blueprint is None:
        blueprint = _BLUEPRINTS[model] = _Blueprint(model)
    if not blueprint.plain:
        return model(**values)
    obj = model.__new__(model)
    state = obj._state = ModelState()
    attributes = obj.__dict__
    attributes.update(blueprint.shared)
    for attname, default in blueprint.called:
        if attname not in values:
            attributes[attname] = default()
    names = blueprint.names
    for name, value in values.items():
        if name not in names:
            raise TypeError(f"{model.__name__}() got unexpected keyword argument '{name}'")
        field = names[name]
        if field is None:
            attributes[name] = value
        else:  # a foreign key by its field name: the related instance (or None)
            attributes[field.attname] = None if value is None else value.pk
            state.fields_cache[name] = value
    return obj


def loaded(model: type[Model], attnames: Sequence[str], values: Sequence[Any], db: str) -> Model:
    """The instance of a row read by hand (``attnames`` = every concrete field, in order):
    what ``Model.from_db`` makes, without the constructor's per-field work."""
    blueprint = _BLUEPRINTS.get(model)
    if blueprint is None:
        blueprint = _BLUEPRINTS[model] = _Blueprint(model)
    if not blueprint.plain or model.from_db.__func__ is not Model.from_db.__func__:
        return model.from_db(db, attnames, values)
    obj = model.__new__(model)
    state = obj._state = ModelState()
    state.adding = False
    state.db = db
    obj.__dict__.update(zip(attnames, values, strict=True))
    return obj


class RowShape:
    """How one model's rows are read by a hand-written ``SELECT``: the column list (under a table
    alias) and the conversion of a row slice into an instance, exactly as the ORM would build it
    (the backend's and the fields' converters — JSON, time zones, SQLite dates — then
    ``Model.from_db``).

    For the few reads of the submission's hot path, where compiling the queryset costs several
    times the statement; the model stays the schema (columns and conversions come from its
    fields), only the ``WHERE`` is written by hand. Built once per model, alias and database."""

    def __init__(self, model: type[Model], alias: str) -> None:
        from django.db.models.expressions import Col

        meta = model._meta
        quote = connection.ops.quote_name
        self.model = model
        self.fields = list(meta.concrete_fields)
        self.width = len(self.fields)
        self.columns = ", ".join(f"{alias}.{quote(field.column)}" for field in self.fields)
        self.converters: list[tuple[int, list, Any]] = []
        for index, field in enumerate(self.fields):
            col = Col(alias, field)
            found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
            if found:
                self.converters.append((index, found, col))
        self.attnames = [field.attname for field in self.fields]
        self.pk_index = self.fields.index(meta.pk)

    def build(self, values: Sequence[Any], db: Any = None) -> Model | None:
        """The instance of ``values`` (this shape's slice of a row); None for the all-NULL slice
        of a ``LEFT JOIN`` that found nothing. ``db``: the connection (looked up when not given)."""
        if values[self.pk_index] is None:
            return None
        if db is None:
            db = current()
        values = list(values)
        for index, converters, col in self.converters:
            value = values[index]
            for converter in converters:
                value = converter(value, col, db)
            values[index] = value
        return loaded(self.model, self.attnames, values, db.alias)

    def from_json(self, row: Mapping[str, Any], db: Any = None) -> Model:
        """The instance of a row read as JSON (PostgreSQL ``row_to_json``: column name → value,
        decoded by ``json.loads``): each value through its field's ``to_python`` (text of
        moments and dates, numbers of keys), JSON columns as they came. For rows read inside
        another statement (:class:`JsonRows`)."""
        if db is None:
            db = current()
        readers = self._json_readers
        if readers is None:
            readers = self._json_readers = [_json_reader(field) for field in self.fields]
        values = [
            value if (value := row[column]) is None or read is None else read(value)
            for column, read in readers
        ]
        return loaded(self.model, self.attnames, values, db.alias)

    _json_readers: list | None = None


def _json_reader(field: Any) -> tuple[str, Any]:
    """(column, conversion of its JSON value) for :meth:`RowShape.from_json`: None for JSON
    columns (already decoded); a decimal from its JSON number's shortest text (exact up to 15
    digits: wider ones are refused, as are binary columns, which have no JSON form that
    ``to_python`` reads)."""
    from django.db.models import BinaryField, DecimalField, JSONField

    if isinstance(field, BinaryField) or (
        isinstance(field, DecimalField) and (field.max_digits or 99) > 15
    ):
        raise TypeError(f"{field} cannot be read exactly as JSON: read it with a plain SELECT")
    if isinstance(field, JSONField):
        return field.column, None
    if isinstance(field, DecimalField):
        return field.column, lambda value: field.to_python(str(value))
    return field.column, field.to_python


class JsonRows:
    """Rows of one model read INSIDE another statement (PostgreSQL): one column of the
    caller's ``SELECT`` holds them as a JSON array (``json_agg(row_to_json(t))``), so a request
    that needs several small reads makes one round trip for them (each round trip costs a
    filing about 2 % of its CPU in ``banshi bench submit``).

    ``where`` is plain SQL over the alias ``t`` with ``%s`` parameters; the caller puts
    :meth:`sql` in its column list and its :attr:`params` at that place, then hands the
    column's value to :meth:`take`. ``rows`` stays None until then: callers fall back to their
    own statement when no other statement carried this one."""

    def __init__(self, model: type[Model], where: str, params: Sequence[Any]) -> None:
        self.model = model
        self.where = where
        self.params = list(params)
        self.rows: list[Model] | None = None

    def sql(self, db: Any = None) -> str:
        db = db or current()
        table = db.ops.quote_name(self.model._meta.db_table)
        return (
            f"(SELECT coalesce(json_agg(row_to_json(t)), '[]')::text "
            f"FROM {table} t WHERE {self.where})"
        )

    def take(self, text: str, db: Any = None) -> None:
        db = db or current()
        shape = row_shape(self.model, "t", db)
        self.rows = [shape.from_json(row, db) for row in json.loads(text)]


_SHAPES: dict[tuple[type[Model], str, str], RowShape] = {}


def row_shape(model: type[Model], alias: str = "t", db: Any = None) -> RowShape:
    key = (model, alias, (db or connection).vendor)
    found = _SHAPES.get(key)
    if found is None:
        found = _SHAPES[key] = RowShape(model, alias)
    return found


def select_models(
    model: type[Model], where: str, params: Sequence[Any], *, tail: str = ""
) -> list[Model]:
    """Instances of ``model`` whose row satisfies ``where`` (plain SQL over the alias ``t``, with
    ``%s`` parameters; ``tail`` adds ``ORDER BY`` / ``LIMIT``): one cursor call, no queryset."""
    db = current()
    shape = row_shape(model, "t", db)
    sql = f"SELECT {shape.columns} FROM {db.ops.quote_name(model._meta.db_table)} t WHERE {where} {tail}"
    with statement(sql, list(params), db) as cursor:
        rows = cursor.fetchall()
    return [shape.build(row, db) for row in rows]
