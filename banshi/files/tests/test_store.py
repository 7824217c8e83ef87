"""Content-addressed storage of uploads: type from the bytes, size limits, one copy per content."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from banshi.files import sniff
from banshi.files.models import StoredFile
from banshi.files.services import UploadRefused, open_stored, store_bytes, store_upload

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64


def ofd_bytes(with_entry: bool = True) -> bytes:
    """A ZIP with ``OFD.xml`` at its root (GB/T 33190), or without it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if with_entry:
            archive.writestr("OFD.xml", "<ofd:OFD xmlns:ofd='http://www.ofdspec.org/2016'/>")
        archive.writestr("Doc_0/Document.xml", "<Document/>")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BANSHI_UPLOAD_MAX_MB = 20
    settings.BANSHI_UPLOAD_TYPES = ["pdf", "png", "jpeg", "ofd"]
    return settings.MEDIA_ROOT


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        (PDF, "application/pdf"),
        (PNG, "image/png"),
        (JPEG, "image/jpeg"),
        (ofd_bytes(), "application/ofd"),
    ],
)
def test_the_type_is_read_from_the_content_not_the_name(data, content_type):
    stored = store_bytes(data, "scan.bin")
    assert stored.content_type == content_type


def test_an_exe_renamed_pdf_is_refused_for_what_it_is():
    with pytest.raises(UploadRefused) as refused:
        store_bytes(EXE, "营业执照.pdf")
    assert refused.value.code == "type"
    assert "不是允许的类型" in refused.value.zh and "not an allowed type" in refused.value.en
    assert StoredFile.objects.count() == 0


def test_a_zip_without_ofd_xml_is_not_an_ofd():
    assert sniff.sniff(ofd_bytes(with_entry=False)[:1024], None) is None
    with pytest.raises(UploadRefused):
        store_bytes(ofd_bytes(with_entry=False), "doc.ofd")


def test_an_empty_file_is_refused():
    with pytest.raises(UploadRefused) as refused:
        store_bytes(b"", "empty.pdf")
    assert refused.value.code == "empty"
    assert "空文件" in str(refused.value) and "empty" in str(refused.value)


def test_a_file_over_the_limit_is_refused_while_streaming(settings):
    settings.BANSHI_UPLOAD_MAX_MB = 0.001  # about 1 KB
    with pytest.raises(UploadRefused) as refused:
        store_bytes(PDF + b"0" * 4096, "big.pdf")
    assert refused.value.code == "too_large"
    assert "超过" in refused.value.zh and "larger than" in refused.value.en
    assert StoredFile.objects.count() == 0


def test_identical_content_is_stored_once_under_its_hash():
    first = store_bytes(PDF, "a.pdf")
    second = store_upload(ContentFile(PDF, name="b.pdf"))
    digest = hashlib.sha256(PDF).hexdigest()
    assert first.pk == second.pk
    assert first.sha256 == digest and first.size == len(PDF)
    assert first.storage_name == f"files/{digest[:2]}/{digest[2:4]}/{digest}"
    assert default_storage.exists(first.storage_name)
    with open_stored(first) as handle:
        assert handle.read() == PDF
    assert first.original_name == "a.pdf"  # the first name given is the one kept


def test_the_allowed_kinds_are_a_setting(settings):
    settings.BANSHI_UPLOAD_TYPES = ["pdf"]
    with pytest.raises(UploadRefused) as refused:
        store_bytes(PNG, "photo.png")
    assert "PDF" in refused.value.zh and "PNG" not in refused.value.zh.split("（", 1)[1]


def test_a_stored_file_lost_on_disk_is_written_again():
    stored = store_bytes(PDF, "a.pdf")
    default_storage.delete(stored.storage_name)
    again = store_bytes(PDF, "a.pdf")
    assert again.pk == stored.pk and default_storage.exists(stored.storage_name)
