"""Helpers for the apply-flow tests: applicants with accounts, small valid files, a clerk."""

from __future__ import annotations

import io
import zipfile

from django.contrib.auth import get_user_model

from banshi.people import services as people
from banshi.people.models import StaffProfile

PASSWORD = "banshi-Test-2026"
# Valid GB 11643 numbers (reference/standards.md §6.1 vectors, as in banshi.core.services).
CITIZEN_ID = "310115198506150022"
OWNER_ID = "44030419900307123X"
OTHER_ID = "110101200001010010"
USCC = "91350100M000100Y43"

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64


def ofd_bytes(with_entry: bool = True) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if with_entry:
            archive.writestr("OFD.xml", "<ofd:OFD xmlns:ofd='http://www.ofdspec.org/2016'/>")
        archive.writestr("Doc_0/Document.xml", "<Document/>")
    return buffer.getvalue()


def applicant(
    username: str = "citizen",
    id_number: str = CITIZEN_ID,
    name: str = "李娜",
    phone: str = "13800000001",
):
    """A login account with its 一人一档."""
    user = get_user_model().objects.create_user(username, password=PASSWORD, first_name=name)
    person = people.register_person(id_number, name, phone=phone, user=user)
    return user, person


def enterprise_applicant(username: str = "boss"):
    """The legal representative of an enterprise (一企一档), with an account."""
    user, person = applicant(username, OWNER_ID, "陈伟", "13800000002")
    enterprise = people.register_enterprise(
        USCC, "示例餐饮管理有限公司", legal_representative=person, address="郑州航空港区示例路1号"
    )
    _business_licence(enterprise)
    return user, person, enterprise


def _business_licence(enterprise) -> None:
    """A registered enterprise holds its 营业执照 in the licence library (免证)."""
    from banshi.catalog.models import LicenceType
    from banshi.licences import services as licences

    if LicenceType.objects.filter(code="YYZZ", department__isnull=False).exists():
        licences.record_existing("YYZZ", holder_enterprise=enterprise)


def staff(username: str, *roles: str, department: str | None = None, all_departments=False):
    from banshi.catalog.models import Department

    user = get_user_model().objects.create_user(username, password=PASSWORD)
    StaffProfile.objects.create(
        user=user,
        department=Department.objects.get(code=department) if department else None,
        roles=list(roles),
        all_departments=all_departments,
    )
    return user
