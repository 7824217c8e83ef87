"""Reads of the licence library: a holder's valid licence of a type (免证), a holder's licences
(我的证照), and the public view of a licence (masked personal data only)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from banshi.catalog.models import LicenceType
from banshi.core import clock
from banshi.core.db import row_shape, statement
from banshi.licences.models import HolderCodeType, Licence, LicenceStatus, SigningKey
from banshi.people.identifiers import mask_id_number, mask_name
from banshi.people.models import Enterprise, Person


def _in_force(on: dt.date) -> Q:
    return (
        Q(status=LicenceStatus.VALID)
        & Q(valid_from__lte=on)
        & (Q(valid_to__isnull=True) | Q(valid_to__gte=on))
    )


def _holder_q(holder_person: Person | None, holder_enterprise: Enterprise | None) -> Q | None:
    if holder_enterprise is not None:
        return Q(holder_enterprise=holder_enterprise)
    if holder_person is not None:
        return Q(holder_person=holder_person)
    return None


def valid_licence(
    holder_person: Person | None = None,
    holder_enterprise: Enterprise | None = None,
    licence_type_code: str = "",
    on: dt.date | None = None,
) -> Licence | None:
    """The holder's licence of exactly ``licence_type_code`` that is in force on ``on`` (today by
    default): status valid, started, not ended. None when there is none (never another type, never
    an expired, revoked or replaced one). With both holders given, the enterprise's is used.

    Asked for every material a licence may stand in for, on every submission (免证), so it is one
    plain ``SELECT`` with the licence type and signing key joined, not a compiled queryset."""
    if holder_enterprise is not None:
        holder_column, holder_id = "holder_enterprise_id", holder_enterprise.pk
    elif holder_person is not None:
        holder_column, holder_id = "holder_person_id", holder_person.pk
    else:
        return None
    if not licence_type_code:
        return None
    on = on or clock.today()
    quote = connection.ops.quote_name
    shapes = (row_shape(Licence, "t"), row_shape(LicenceType, "lt"), row_shape(SigningKey, "k"))
    sql = (
        f"SELECT {', '.join(shape.columns for shape in shapes)} "
        f"FROM {quote(Licence._meta.db_table)} t "
        f"JOIN {quote(LicenceType._meta.db_table)} lt ON lt.id = t.licence_type_id "
        f"JOIN {quote(SigningKey._meta.db_table)} k ON k.id = t.signing_key_id "
        f"WHERE t.{holder_column} = %s AND lt.code = %s AND {_IN_FORCE_SQL} "
        "ORDER BY t.issued_on DESC, t.id DESC LIMIT 1"
    )
    with statement(sql, [holder_id, licence_type_code, *_in_force_params(on)]) as cursor:
        row = cursor.fetchone()
    if row is None:
        return None
    licence = shapes[0].build(row[: shapes[0].width])
    licence_type = shapes[1].build(row[shapes[0].width : shapes[0].width + shapes[1].width])
    signing_key = shapes[2].build(row[shapes[0].width + shapes[1].width :])
    Licence._meta.get_field("licence_type").set_cached_value(licence, licence_type)
    Licence._meta.get_field("signing_key").set_cached_value(licence, signing_key)
    return licence


# The in-force rule of :func:`_in_force` in plain SQL over the alias ``t`` (the hot-path reads).
_IN_FORCE_SQL = "t.status = %s AND t.valid_from <= %s AND (t.valid_to IS NULL OR t.valid_to >= %s)"


def _in_force_params(on: dt.date) -> list:
    value = connection.ops.adapt_datefield_value(on)
    return [LicenceStatus.VALID.value, value, value]


def held_licence_codes(
    holder_person: Person | None = None,
    holder_enterprise: Enterprise | None = None,
    on: dt.date | None = None,
) -> list[str]:
    """Licence type codes the holder has a licence in force for (the compiler's profile
    ``licences``)."""
    holder = _holder_q(holder_person, holder_enterprise)
    if holder is None:
        return []
    rows = Licence.objects.filter(holder, _in_force(on or clock.today()))
    return sorted(set(rows.values_list("licence_type__code", flat=True)))


def licences_of(person: Person, enterprises: list[Enterprise]) -> QuerySet[Licence]:
    """我的证照: the person's own licences and those of the enterprises they represent; those in
    force first (a replaced licence sorts after its replacement, not before it by its status code)."""
    in_force_first = Case(
        When(status=LicenceStatus.VALID, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return (
        Licence.objects.filter(Q(holder_person=person) | Q(holder_enterprise__in=enterprises))
        .select_related("licence_type", "holder_enterprise", "replaces")
        .order_by(in_force_first, "status", "-issued_on", "-id")
    )


def masked_number(licence: Licence) -> str:
    """证照编号 shown to others: first 4 and last 4 characters."""
    return mask_id_number(licence.number.replace("-", ""))


def masked_holder(licence: Licence) -> tuple[str, str]:
    """(name, code) as the public may see them: a person masked (张*, 1101**********002X), an
    organisation by name and credit code (public registration data)."""
    if licence.holder_code_type == HolderCodeType.ID_NUMBER:
        return mask_name(licence.holder_name), mask_id_number(licence.holder_code)
    return licence.holder_name, licence.holder_code


@dataclass(frozen=True)
class LibraryNote:
    zh: str
    en: str


def library_note(licence: Licence) -> LibraryNote:
    """What the applicant is told when a material is taken from the licence library."""
    number = masked_number(licence)
    return LibraryNote(
        f"已从电子证照库调取：{licence.name}（{number}）— 无需上传",
        f"taken from the e-licence library: {licence.name} ({number}) - nothing to upload",
    )


def held_by(
    person: Person | None, enterprise: Enterprise | None, on: dt.date | None = None
) -> list[str]:
    """免证: the licence types an applicant (and the enterprise applying) hold in force (one
    plain query for both holders: it runs on every submission), or from the licences read
    before when they were (:func:`keep_in_force`)."""
    kept = _kept_in_force(person, enterprise, on)
    if kept is not None:
        return held_codes_among(kept)
    query = held_by_query(person, enterprise, on)
    if query is None:
        return []
    with statement(*query) as cursor:
        return sorted(row[0] for row in cursor.fetchall())


def held_by_query(
    person: Person | None,
    enterprise: Enterprise | None,
    on: dt.date | None = None,
    *,
    enterprise_key: str | None = None,
) -> tuple[str, list[Any]] | None:
    """The statement of :func:`held_by` (one ``code`` column), for a caller that reads it
    together with other things in one round trip; None when there is no holder.

    ``enterprise_key``: an SQL expression for the enterprise's primary key, in place of
    ``enterprise`` (e.g. ``e.id``: a subquery of the statement that reads the enterprise itself,
    aliased other than ``t``, which names the licence table here)."""
    holders, params = [], []
    if person is not None:
        holders.append("t.holder_person_id = %s")
        params.append(person.pk)
    if enterprise_key is not None:
        holders.append(f"t.holder_enterprise_id = {enterprise_key}")
    elif enterprise is not None:
        holders.append("t.holder_enterprise_id = %s")
        params.append(enterprise.pk)
    if not holders:
        return None
    quote = connection.ops.quote_name
    sql = (
        f"SELECT DISTINCT lt.code FROM {quote(Licence._meta.db_table)} t "
        f"JOIN {quote(LicenceType._meta.db_table)} lt ON lt.id = t.licence_type_id "
        f"WHERE ({' OR '.join(holders)}) AND {_IN_FORCE_SQL}"
    )
    return sql, [*params, *_in_force_params(on or clock.today())]


def in_force_query(
    person: Person | None, *, enterprise_key: str | None, on: dt.date | None = None
) -> tuple[str, list[Any]]:
    """The licences ``person`` and an enterprise hold in force on ``on``, each with its type and
    signing key, newest first (as :func:`valid_licence` orders them), as ONE text column of
    JSON: for a caller reading them with other things in one round trip (PostgreSQL), e.g. the
    statement that reads the enterprise (``enterprise_key``: its key there, as
    :func:`held_by_query` takes it; None: the person's alone). :func:`in_force_from_json` makes
    the instances; what :func:`held_by` and :func:`library_licence` answer is then taken from
    them (:func:`held_codes_among`, :func:`library_licence_among`) without another statement."""
    holders = [] if enterprise_key is None else [f"t.holder_enterprise_id = {enterprise_key}"]
    params: list[Any] = []
    if person is not None:
        holders.insert(0, "t.holder_person_id = %s")
        params.append(person.pk)
    if not holders:
        raise ValueError("in_force_query needs a person or an enterprise")
    holders = " OR ".join(holders)
    quote = connection.ops.quote_name
    sql = (
        "SELECT coalesce(json_agg(json_build_array(row_to_json(t), row_to_json(lt), "
        "row_to_json(k)) ORDER BY t.issued_on DESC, t.id DESC), '[]')::text "
        f"FROM {quote(Licence._meta.db_table)} t "
        f"JOIN {quote(LicenceType._meta.db_table)} lt ON lt.id = t.licence_type_id "
        f"JOIN {quote(SigningKey._meta.db_table)} k ON k.id = t.signing_key_id "
        f"WHERE ({holders}) AND {_IN_FORCE_SQL}"
    )
    return sql, [*params, *_in_force_params(on or clock.today())]


def in_force_from_json(text: str) -> list[Licence]:
    """The licences of :func:`in_force_query`'s column, each with its type and signing key
    attached (as :func:`valid_licence` gives them)."""
    import json

    shapes = (row_shape(Licence, "t"), row_shape(LicenceType, "lt"), row_shape(SigningKey, "k"))
    found = []
    for licence_row, type_row, key_row in json.loads(text):
        licence = shapes[0].from_json(licence_row)
        Licence._meta.get_field("licence_type").set_cached_value(
            licence, shapes[1].from_json(type_row)
        )
        Licence._meta.get_field("signing_key").set_cached_value(
            licence, shapes[2].from_json(key_row)
        )
        found.append(licence)
    return found


def held_codes_among(licences: list[Licence]) -> list[str]:
    """:func:`held_by` answered from the licences :func:`in_force_query` read."""
    return sorted({licence.licence_type.code for licence in licences})


def library_licence_among(
    licences: list[Licence],
    person: Person | None,
    enterprise: Enterprise | None,
    licence_type_code: str,
) -> Licence | None:
    """:func:`library_licence` answered from the licences :func:`in_force_query` read for
    ``person`` and ``enterprise`` (newest first): the enterprise's first, else the person's."""
    if not licence_type_code:
        return None
    for holder, attname in ((enterprise, "holder_enterprise_id"), (person, "holder_person_id")):
        if holder is None:
            continue
        for licence in licences:
            if getattr(licence, attname) == holder.pk and (
                licence.licence_type.code == licence_type_code
            ):
                return licence
    return None


# On an Enterprise instance: (person pk, day, the licences in force of both) as read by
# in_force_query with the enterprise; on a Person instance applying as themself: (its pk, day,
# its own licences in force). See keep_in_force.
IN_FORCE_READ = "_banshi_in_force_read"


def keep_in_force(
    person: Person | None, enterprise: Enterprise | None, day: dt.date, licences: list[Licence]
) -> None:
    """Remember on the request's instance — ``enterprise``, or ``person`` applying as themself
    — the licences they hold in force on ``day``, read before (:func:`in_force_query`):
    :func:`library_licence` and :func:`held_by` for that person, enterprise and day answer from
    them, on every path of the request (the drafts' 免证 views and profile, the engine's own
    check) without a statement."""
    holder = enterprise if enterprise is not None else person
    if holder is not None:
        holder.__dict__[IN_FORCE_READ] = (None if person is None else person.pk, day, licences)


def _kept_in_force(
    person: Person | None, enterprise: Enterprise | None, on: dt.date | None
) -> list[Licence] | None:
    """The licences :func:`keep_in_force` kept for exactly these holders and day, else None."""
    holder = enterprise if enterprise is not None else person
    kept = None if holder is None else holder.__dict__.get(IN_FORCE_READ)
    if (
        kept is None
        or kept[0] != (None if person is None else person.pk)
        or kept[1] != (on or clock.today())
    ):
        return None
    return kept[2]


def library_licence(
    person: Person | None, enterprise: Enterprise | None, licence_type_code: str, on=None
) -> Licence | None:
    """免证: the licence that stands in for a material of ``licence_type_code``: the applying
    enterprise's first, else the applicant's own; None when neither holds one in force. From
    the licences read before when they were (:func:`keep_in_force`)."""
    kept = _kept_in_force(person, enterprise, on)
    if kept is not None:
        return library_licence_among(kept, person, enterprise, licence_type_code)
    found = None
    if enterprise is not None:
        found = valid_licence(
            holder_enterprise=enterprise, licence_type_code=licence_type_code, on=on
        )
    if found is None and person is not None:
        found = valid_licence(holder_person=person, licence_type_code=licence_type_code, on=on)
    return found


MODE_LICENCE = "licence"  # an application material entry taken from the licence library


def material_entry(code: str, name: str, licence: Licence) -> dict[str, str]:
    """How a 免证 material is recorded on ``Application.materials``: the licence identifier (the
    reviewer opens it through its verification page), never a file."""
    return {
        "code": code,
        "name": name,
        "mode": MODE_LICENCE,
        "licence": licence.identifier,
        "licence_name": licence.name,
        "licence_number": masked_number(licence),
        "licence_token": licence.token,
        "note": library_note(licence).zh,
    }
