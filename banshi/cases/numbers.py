"""编号: the ONE gap-free number sequence (per key, e.g. ``BS-20261123`` or ``SL-20261123``).

A number is the next value of a :class:`~banshi.cases.models.NumberSequence` row, taken with a
single ``UPDATE … SET last_value = last_value + 1 … RETURNING last_value``: the statement takes the
row lock itself, so concurrent transactions get distinct values, and a rolled-back transaction
rolls its value back (no gaps). The lock is held until the caller's transaction ends, so callers
take their number as LATE as they can (ideally the last statement before the commit): everything
done while holding it is serialised with every other submission of the day.
"""

from __future__ import annotations

from django.db import IntegrityError, connection, transaction

from banshi.cases.models import NumberSequence
from banshi.core.db import statement


def next_value(key: str) -> int:
    """The next value of sequence ``key`` (1 for a new key), locked until the transaction ends."""
    value = _increment(key)
    if value is not None:
        return value
    try:
        with transaction.atomic():  # first number of the key: create the row
            NumberSequence.objects.create(key=key, last_value=1)
            return 1
    except IntegrityError:  # created concurrently: take the next one
        value = _increment(key)
        if value is None:  # pragma: no cover - the row exists: the insert just collided
            raise
        return value


def next_value_step() -> str:
    """PostgreSQL: :func:`next_value` as ONE statement (``%s`` = the key) for a caller that
    writes it inside a larger one (``banshi.core.db.Chain``): it returns ``last_value``; the
    key's first value creates the row (an insert that meets an existing row increments it)."""
    quote = connection.ops.quote_name
    table, value, column = (
        quote(NumberSequence._meta.db_table),
        quote("last_value"),
        quote("key"),
    )
    return (
        f"INSERT INTO {table} ({column}, {value}) VALUES (%s, 1) ON CONFLICT ({column}) "
        f"DO UPDATE SET {value} = {table}.{value} + 1 RETURNING {value}"
    )


def formatted(value: str) -> str:
    """SQL of a number as :func:`banshi.cases.services.issue_number` formats it: the ``%s``
    prefix, then the sequence value ``value`` (an SQL expression) in at least six digits."""
    return f"%s || right('00000' || {value}::text, greatest(6, length({value}::text)))"


def _increment(key: str) -> int | None:
    quote = connection.ops.quote_name
    table, value, column = (
        quote(NumberSequence._meta.db_table),
        quote("last_value"),
        quote("key"),
    )
    with statement(
        f"UPDATE {table} SET {value} = {value} + 1 WHERE {column} = %s RETURNING {value}", [key]
    ) as cursor:
        row = cursor.fetchone()
    return None if row is None else int(row[0])
