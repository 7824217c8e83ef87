"""Reads of the licence library: a holder's valid licence of a type (免证), a holder's licences
(我的证照), and the public view of a licence (masked personal data only)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from banshi.core import clock
from banshi.licences.models import HolderCodeType, Licence, LicenceStatus
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
    an expired, revoked or replaced one). With both holders given, the enterprise's is used."""
    holder = _holder_q(holder_person, holder_enterprise)
    if holder is None or not licence_type_code:
        return None
    return (
        Licence.objects.filter(holder, _in_force(on or clock.today()))
        .filter(licence_type__code=licence_type_code)
        .select_related("licence_type", "signing_key")
        .order_by("-issued_on", "-id")
        .first()
    )


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
    query for both holders)."""
    holders = [q for q in (_holder_q(person, None), _holder_q(None, enterprise)) if q is not None]
    if not holders:
        return []
    either = holders[0] if len(holders) == 1 else holders[0] | holders[1]
    rows = Licence.objects.filter(either, _in_force(on or clock.today()))
    return sorted(set(rows.values_list("licence_type__code", flat=True)))


def library_licence(
    person: Person | None, enterprise: Enterprise | None, licence_type_code: str, on=None
) -> Licence | None:
    """免证: the licence that stands in for a material of ``licence_type_code``: the applying
    enterprise's first, else the applicant's own; None when neither holds one in force."""
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
