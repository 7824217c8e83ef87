"""Rendered PDFs: the required Chinese content, CJK fonts embedded, a QR code that decodes.

Each sample is rendered once per session (``rendered_pdfs``); the checks read it with poppler
(``pdftotext``, ``pdffonts``, ``pdftoppm``) and zbar (``zbarimg``).
"""

from __future__ import annotations

import re
import subprocess

import pytest

from banshi.documents import render
from banshi.documents.content import REFUSAL_REMEDY, REMEDY_NOTICE, DocumentKind
from banshi.documents.tests.conftest import VERIFY_URL, need_tool, pdf_text
from banshi.documents.tests.samples import AGENCY, sample

KINDS = list(DocumentKind)

# What the law asks each document to show (standards §1.3), as it must appear in the PDF's text.
REQUIRED_TEXT = {
    DocumentKind.RECEIPT: ["收件凭证", "2026年11月20日14时05分", "食品经营许可申请书", "营业执照"],
    DocumentKind.ACCEPTANCE: [
        "受理通知书",
        "受理日期为2026年11月23日",
        "预计于2026年12月21日前作出决定",
        "综合窗口王**0371-12345678",
    ],
    DocumentKind.REFUSAL: [
        "不予受理通知书",
        "不予受理",
        "依法应向所在地市场监督管理部门申请",
        "请向郑州市中原区市场监督管理局提出申请",
        "".join(REFUSAL_REMEDY.split()),
    ],
    DocumentKind.CORRECTION: [
        "补正材料通知书",
        "一次性告知需要补正的全部内容",
        "经营场所平面布局图",
        "须标明加工操作区域",
        "填写食品安全管理人员姓名及身份证号码",
        "请于2026年12月21日前补正",
        "电子送达",
    ],
    DocumentKind.EXTENSION: [
        "延期通知书",
        "延长至2027年1月5日",
        "2026年12月21日",
        "本机关负责人李**",
        "延期理由：需对经营场所进行现场核查",
    ],
    DocumentKind.SPECIAL_PROCEDURE: [
        "特别程序时间告知书",
        "检测",
        "预计需要15个工作日",
        "不计算在行政许可办理期限内",
    ],
    DocumentKind.GRANT: [
        "准予行政许可决定书",
        "准予你单位食品经营许可",
        "食品经营许可证",
        "2026年12月7日前",
    ],
    DocumentKind.COMMITMENT: [
        "告知承诺书",
        "经营场所使用证明",
        "愿意接受核查",
        "2026年11月20日",
    ],
    DocumentKind.DEFICIENCY: [
        "容缺受理通知书",
        "一次性告知需要补交的全部材料",
        "食品安全管理制度",
        "请于2026年12月7日前补交",
        "终止办理",
    ],
    DocumentKind.DENIAL: [
        "不予行政许可决定书",
        "不予行政许可",
        "经营场所与有毒、有害场所的距离不符合",
        "".join(REMEDY_NOTICE.split()),
    ],
}


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.value)
def test_pdf_text_holds_agency_number_date_and_required_content(kind, rendered_pdfs, tmp_path):
    text = pdf_text(rendered_pdfs(kind), tmp_path)
    expected = [AGENCY, f"编号：{kind.number_prefix}-20261123-000007", "2026年11月23日"]
    for fragment in expected + REQUIRED_TEXT[kind]:
        assert fragment in text, fragment


def test_receipt_masks_the_id_number(rendered_pdfs, tmp_path):
    text = pdf_text(rendered_pdfs(DocumentKind.RECEIPT), tmp_path)
    assert "410102********1234" in text
    assert "410102199003071234" not in text


@pytest.mark.parametrize("kind", [DocumentKind.ACCEPTANCE, DocumentKind.DENIAL], ids=str)
def test_pdf_shows_electronic_seal_caption_and_content_digest(kind, rendered_pdfs, tmp_path):
    from banshi.documents.content import content_digest

    text = pdf_text(rendered_pdfs(kind), tmp_path)
    _, digest = content_digest(sample(kind, number=f"{kind.number_prefix}-20261123-000007"))
    assert "电子印章" in text
    assert digest in text


def test_embedded_fonts_are_noto_cjk(rendered_pdfs, tmp_path):
    need_tool("pdffonts", "poppler-utils")
    source = tmp_path / "doc.pdf"
    source.write_bytes(rendered_pdfs(DocumentKind.ACCEPTANCE))
    listing = subprocess.run(
        ["pdffonts", str(source)], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    rows = listing.splitlines()[2:]
    cjk = [row for row in rows if re.search(r"Noto-(Serif|Sans)-CJK", row)]
    assert cjk, listing
    # Every font is embedded (column "emb" = yes).
    assert all(" yes " in row for row in rows), listing


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.value)
def test_qr_code_on_page_one_decodes(kind, rendered_pdfs, tmp_path):
    need_tool("pdftoppm", "poppler-utils")
    need_tool("zbarimg", "zbar-tools")
    source = tmp_path / "doc.pdf"
    source.write_bytes(rendered_pdfs(kind))
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "150",
            "-f",
            "1",
            "-l",
            "1",
            str(source),
            str(tmp_path / "page"),
        ],
        check=True,
        timeout=60,
    )
    (image,) = tmp_path.glob("page*.png")
    decoded = subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(image)], capture_output=True, text=True, timeout=60
    ).stdout.split()
    expected = sample(kind).progress_url if kind == DocumentKind.RECEIPT else VERIFY_URL
    assert decoded == [expected]


def test_documents_fit_on_one_page(rendered_pdfs):
    need_tool("pdfinfo", "poppler-utils")
    for kind in KINDS:
        pdf = rendered_pdfs(kind)
        info = subprocess.run(
            ["pdfinfo", "-"], input=pdf, capture_output=True, check=True, timeout=60
        ).stdout.decode()
        assert re.search(r"^Pages:\s+1$", info, re.M), (kind, info)


def test_seal_draws_every_character_of_the_agency():
    svg = render.seal_svg("某某区行政审批局")
    for char in "某某区行政审批局":
        assert f">{char}</text>" in svg
    assert "电子文书专用" in svg


def test_html_escapes_what_the_caller_wrote():
    doc = sample(DocumentKind.DENIAL, reasons=("<script>alert(1)</script>",), number="BY-1")
    html = render.render_html(doc, verify_url=VERIFY_URL)
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_qr_svg_is_inline_svg_at_level_m():
    svg = render.qr_svg("https://zwfw.example.gov.cn/verify/abc/")
    assert svg.startswith("<svg")
    assert 'class="qr"' in svg


def test_rendering_fetches_nothing_from_outside(rendered_pdfs):
    """Only ``data:`` URLs may be fetched: a server named in the HTML is never asked."""
    import http.server
    import threading

    from banshi.documents.tests.conftest import need_pdf_rendering

    need_pdf_rendering()
    requests: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        pdf = render.html_to_pdf(
            f'<link rel="stylesheet" href="http://127.0.0.1:{port}/x.css">'
            f'<p>外部资源</p><img src="http://127.0.0.1:{port}/seal.png">'
        )
    finally:
        server.shutdown()
        server.server_close()
    assert pdf.startswith(b"%PDF")
    assert requests == []
