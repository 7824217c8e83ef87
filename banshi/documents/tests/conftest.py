"""Fixtures for the document tests.

Tests that need WeasyPrint's system libraries, the Noto CJK fonts, poppler (``pdftotext``,
``pdffonts``, ``pdftoppm``) or zbar (``zbarimg``) skip with the reason when these are missing, unless
``BANSHI_REQUIRE_SERVICES=1`` (CI): then a missing one is a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from banshi.documents import render
from banshi.documents.content import DocumentKind
from banshi.documents.tests.samples import sample

VERIFY_URL = "http://127.0.0.1:8000/verify/AbCdEfGhIjKlMnOpQrStUv/"


def need(ok: bool, reason: str) -> None:
    """Skip with ``reason`` unless CI requires every service, then fail."""
    if ok:
        return
    if os.environ.get("BANSHI_REQUIRE_SERVICES") == "1":
        pytest.fail(f"BANSHI_REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


def need_pdf_rendering() -> None:
    problem = render.weasyprint_problem()
    need(problem is None, f"WeasyPrint cannot render here: {problem}")
    need(
        render.cjk_fonts_installed(),
        "Noto CJK fonts not installed: apt-get install fonts-noto-cjk",
    )


def need_tool(name: str, package: str) -> str:
    path = shutil.which(name)
    need(path is not None, f"{name} not installed: apt-get install {package}")
    return path


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    """The PDF's text with every whitespace removed (letter-spaced titles come out as 受 理 …)."""
    need_tool("pdftotext", "poppler-utils")
    source = tmp_path / "doc.pdf"
    source.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(source), "-"],
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout.decode("utf-8")
    return "".join(out.split())


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Stored PDFs go to a fresh folder per test."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BANSHI_PUBLIC_URL = "https://zwfw.example.gov.cn"
    return settings.MEDIA_ROOT


@pytest.fixture(scope="session")
def rendered_pdfs():
    """Each sample document rendered once per test session (rendering takes about half a second)."""
    cache: dict[DocumentKind, bytes] = {}

    def get(kind: DocumentKind) -> bytes:
        need_pdf_rendering()
        if kind not in cache:
            doc = sample(kind, number=f"{kind.number_prefix}-20261123-000007")
            cache[kind] = render.render_pdf(doc, verify_url=VERIFY_URL, region="")
        return cache[kind]

    return get


@pytest.fixture
def fake_render(monkeypatch):
    """Replace WeasyPrint by a stand-in (for service and page tests that are not about the PDF)."""
    calls = []

    def render_pdf(content, *, verify_url, region=""):
        calls.append(content)
        return f"%PDF-1.7 stand-in {content.kind.value} {content.number} {verify_url}".encode()

    monkeypatch.setattr(render, "render_pdf", render_pdf)
    return calls
