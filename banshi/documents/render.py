"""Rendering: document content → HTML (Django templates) → PDF bytes (WeasyPrint).

Each kind has a template ``documents/pdf/<kind>.html`` extending ``documents/pdf/base.html``: A4,
print CSS, Noto Serif/Sans CJK named by family so fontconfig finds Debian's ``fonts-noto-cjk``. The
page carries the agency as its heading, the document number, dates written the Chinese way
(2026年11月23日), an electronic seal drawn in SVG (a red circle with the agency's name, captioned
电子印章 with the content digest: clearly an electronic mark, not the image of a physical seal) and a
segno QR code (inline SVG, error level M) of the verification URL, or of the progress page on a
receipt.

WeasyPrint is imported when a PDF is made, not when Django starts, so the platform runs (and tells
the operator, see :mod:`banshi.documents.checks`) on a machine without Pango. Nothing is fetched
while rendering: the fetcher only allows ``data:`` URLs (no outside call at run time, DESIGN §8).
"""

from __future__ import annotations

import logging
import math
import subprocess
from functools import lru_cache
from html import escape

import segno
from django.template.loader import render_to_string

from banshi.documents.content import (
    DocumentContent,
    DocumentKind,
    Receipt,
    chinese_date,
    content_digest,
    mask_identifier,
)

# Families that fontconfig resolves to Debian's fonts-noto-cjk (and a fallback chain).
SERIF_FAMILIES = '"Noto Serif CJK SC", "Noto Serif SC", "Source Han Serif SC", serif'
SANS_FAMILIES = (
    '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif'
)
SEAL_RED = "#d3141c"


class RenderUnavailable(RuntimeError):
    """WeasyPrint or its system libraries (Pango) are missing on this machine."""


# --------------------------------------------------------------------------------------------
# SVG parts
# --------------------------------------------------------------------------------------------


def qr_svg(data: str, *, css_class: str = "qr") -> str:
    """An inline SVG QR code (error correction level M) for ``data``, sized by CSS."""
    qr = segno.make(data, error="m", micro=False)
    return qr.svg_inline(scale=1, border=4, svgclass=css_class, omitsize=True, dark="#000")


def seal_svg(agency: str, *, label: str = "电子文书专用") -> str:
    """An electronic seal: a red ring, the agency's name along the upper arc, a star and ``label``.

    Characters are placed one by one (WeasyPrint draws no ``textPath``), upright towards the rim,
    spread over at most 250° of the circle.
    """
    name = agency.strip() or "行政机关"
    size, centre, ring = 200.0, 100.0, 94.0
    count = max(len(name), 1)
    # The characters' centres lie on a circle inside the ring; the font is as large as the arc
    # allows (one em per character plus a little spacing), between 12 and 26 units.
    span = min(250.0, 40.0 + 17.0 * count)
    font = 26.0
    for _ in range(4):
        text_radius = ring - 7.0 - font / 2
        font = max(12.0, min(26.0, 2 * math.pi * text_radius * span / 360.0 / count / 1.12))
    text_radius = ring - 7.0 - font / 2
    parts = [
        f'<svg class="seal" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size:g} {size:g}" '
        f'role="img" aria-label="{escape(name)} 电子印章">',
        f'<circle cx="{centre:g}" cy="{centre:g}" r="{ring:g}" fill="none" stroke="{SEAL_RED}" stroke-width="5"/>',
    ]
    for index, char in enumerate(name):
        angle = -span / 2 + span * (index + 0.5) / count if count > 1 else 0.0
        parts.append(
            f'<g transform="translate({centre:g} {centre:g}) rotate({angle:.2f})">'
            f'<text x="0" y="{-text_radius + font * 0.36:.2f}" text-anchor="middle" '
            f'font-size="{font:.1f}" font-weight="bold" fill="{SEAL_RED}" '
            f"font-family='Noto Serif CJK SC, Noto Sans CJK SC, serif'>{escape(char)}</text></g>"
        )
    # A five-pointed star in the centre.
    star_outer, star_inner = 27.0, 10.5
    points = []
    for k in range(10):
        radius = star_outer if k % 2 == 0 else star_inner
        theta = math.radians(-90 + 36 * k)
        points.append(
            f"{centre + radius * math.cos(theta):.2f},{centre + 4 + radius * math.sin(theta):.2f}"
        )
    parts.append(f'<polygon points="{" ".join(points)}" fill="{SEAL_RED}"/>')
    parts.append(
        f'<text x="{centre:g}" y="{centre + 56:g}" text-anchor="middle" font-size="15" '
        f"fill=\"{SEAL_RED}\" font-family='Noto Serif CJK SC, serif'>{escape(label)}</text>"
    )
    parts.append("</svg>")
    return "".join(parts)


# --------------------------------------------------------------------------------------------
# HTML and PDF
# --------------------------------------------------------------------------------------------


MM_PER_POINT = 25.4 / 72


def heading_points(agency: str, *, width_mm: float = 160.0) -> float:
    """The agency heading's font size: one line up to about 30 characters (20pt at most, 14 at least)."""
    count = max(len(agency.strip()), 1)
    return round(max(14.0, min(20.0, width_mm / count / MM_PER_POINT / 1.06)), 1)


def title_spacing(title: str, *, width_mm: float = 98.0, points: float = 21.0) -> float:
    """Letter spacing (em) that spreads a short title (受 理 通 知 书) and keeps a long one on a line."""
    em = points * MM_PER_POINT
    count = max(len(title), 1)
    return round(max(0.05, min(0.5, width_mm / (em * count) - 1.08)), 2)


def template_name(kind: DocumentKind | str) -> str:
    return f"documents/pdf/{DocumentKind(kind).value}.html"


def render_html(content: DocumentContent, *, verify_url: str, region: str = "") -> str:
    """The document as print HTML. The QR code encodes ``verify_url`` (a receipt's: its progress
    page, with the verification address printed as text)."""
    algorithm, digest = content_digest(content)
    qr_target = content.progress_url if isinstance(content, Receipt) else verify_url
    organisation = content.applicant.organisation
    context = {
        "doc": content,
        "kind": content.kind.value,
        "title": content.title,
        "you": "你单位" if organisation else "你",
        "applicant_identifier": mask_identifier(content.applicant),
        "identifier_label": "统一社会信用代码" if organisation else "证件号码",
        "verify_url": verify_url,
        "qr_target": qr_target,
        "qr_svg": qr_svg(qr_target),
        "qr_caption": "扫码查看办理进度" if isinstance(content, Receipt) else "扫码核验文书",
        "seal_svg": seal_svg(content.agency),
        "digest_algorithm": algorithm.upper(),
        "digest": digest,
        "digest_lines": [digest[i : i + 32] for i in range(0, len(digest), 32)],
        "issued_on_text": chinese_date(content.issued_on),
        "agency_pt": heading_points(content.agency),
        "title_spacing": title_spacing(content.title),
        "region": region,
        "serif": SERIF_FAMILIES,
        "sans": SANS_FAMILIES,
    }
    return render_to_string(template_name(content.kind), context)


def _weasyprint():
    # WeasyPrint logs every rendering step at INFO ("Step 1 - Fetching …"): keep warnings only.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    try:
        import weasyprint
    except (ImportError, OSError) as error:  # OSError: Pango/GObject libraries not found
        raise RenderUnavailable(
            "WeasyPrint 无法加载（缺少 Pango 等系统库：apt-get install libpango-1.0-0 "
            f"libpangoft2-1.0-0 fonts-noto-cjk）/ WeasyPrint cannot load: {error}"
        ) from error
    return weasyprint


def html_to_pdf(html: str) -> bytes:
    """PDF bytes from print HTML; only ``data:`` URLs may be fetched."""
    weasyprint = _weasyprint()
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols=("data",))
    return weasyprint.HTML(string=html, base_url=None, url_fetcher=fetcher).write_pdf()


def render_pdf(content: DocumentContent, *, verify_url: str, region: str = "") -> bytes:
    """The document as PDF bytes (does not validate: :func:`content.validate` is the service's job)."""
    return html_to_pdf(render_html(content, verify_url=verify_url, region=region))


# --------------------------------------------------------------------------------------------
# What this machine can do (system check, tests)
# --------------------------------------------------------------------------------------------


def weasyprint_problem() -> str | None:
    """Why WeasyPrint cannot render here, or ``None`` when it can (imports it: about half a second)."""
    try:
        _weasyprint()
    except RenderUnavailable as error:
        return str(error)
    return None


def pango_missing() -> bool:
    """A cheap look (no import) for WeasyPrint's Pango library, for the system check."""
    import ctypes.util
    import importlib.util

    if importlib.util.find_spec("weasyprint") is None:
        return True
    return (
        ctypes.util.find_library("pango-1.0") is None and ctypes.util.find_library("pango") is None
    )


@lru_cache(maxsize=1)
def cjk_fonts_installed() -> bool:
    """Whether fontconfig knows a Noto CJK (or Source Han) font for Simplified Chinese."""
    try:
        result = subprocess.run(
            ["fc-list", ":lang=zh-cn", "family"],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    families = result.stdout.lower()
    return any(name in families for name in ("noto sans cjk", "noto serif cjk", "source han"))
