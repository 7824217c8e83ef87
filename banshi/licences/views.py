"""Public licence verification (扫码核验) and the holder's 我的证照 (扫码亮证).

The verification page needs no login: it checks the signature and the status and shows only masked
personal data (a person's name and ID number masked; an organisation's name and credit code are
public registration data). The holder's page lists only the signed-in person's own licences and
those of the enterprises they represent.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from banshi.documents.render import RenderUnavailable, html_to_pdf, qr_svg
from banshi.licences import canonical, selectors, verification
from banshi.licences.models import Licence
from banshi.people import permissions


def verify_url(licence: Licence) -> str:
    """The absolute URL the licence's QR code carries."""
    return f"{settings.BANSHI_PUBLIC_URL}{reverse('licences:verify', args=[licence.token])}"


def _public(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex"
    response["Cache-Control"] = "no-store"
    return response


def _facts(licence: Licence) -> list[tuple[str, str]]:
    """The verification page's facts, labelled in the page language (the values are data)."""
    name, code = selectors.masked_holder(licence)
    start = licence.valid_from
    return [
        (_("证照名称"), licence.name),
        (_("证照编号"), selectors.masked_number(licence)),
        (_("证照标识"), licence.identifier),
        (_("持证主体"), name),
        # a HolderCodeType label (公民身份号码 / 统一社会信用代码): the catalogue has both
        (_(licence.get_holder_code_type_display()), code),
        (_("颁发机构"), licence.issuer_name),
        (_("颁发日期"), licence.issued_on.isoformat()),
        (
            _("有效期"),
            _("%(start)s 至 %(end)s") % {"start": start, "end": licence.valid_to}
            if licence.valid_to
            else _("%(start)s 起长期有效") % {"start": start},
        ),
        *([(_("加注"), licence.remark)] if licence.remark else []),
        (_("签名算法"), licence.signing_key.get_algorithm_display()),
        (_("签章密钥指纹"), licence.signing_key.fingerprint[:32]),
    ]


@require_GET
def verify(request: HttpRequest, token: str) -> HttpResponse:
    licence = (
        Licence.objects.select_related("signing_key", "licence_type", "replaces")
        .filter(token=token)
        .first()
    )
    if licence is None:
        verdict = verification.Verdict(
            None,
            [
                verification.Problem(
                    "not_found",
                    "电子证照库中没有此证照：二维码可能系伪造",
                    "no such licence in the licence library: the QR code may be forged",
                )
            ],
        )
        return _public(render(request, "licences/verify.html", {"verdict": verdict}, status=404))
    verdict = verification.check(licence)
    return _public(
        render(
            request,
            "licences/verify.html",
            {"verdict": verdict, "licence": licence, "facts": _facts(licence)},
        )
    )


@require_GET
def lookup(request: HttpRequest) -> HttpResponse:
    """核验证照标识: someone types the identifier printed on a licence."""
    raw = (request.GET.get("id") or "").strip()
    context: dict = {"licence_query": raw}  # not "query": that fills the header search box
    if raw:
        verdict = verification.lookup(raw)
        context["verdict"] = verdict
        if verdict.licence is not None:
            context["licence"] = verdict.licence
            context["facts"] = _facts(verdict.licence)
    return _public(render(request, "licences/verify.html", context))


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    person, enterprises = permissions.applicant_subjects(request.user)
    rows = []
    if person is not None:
        for licence in selectors.licences_of(person, list(enterprises)):
            url = verify_url(licence)
            rows.append(
                {
                    "licence": licence,
                    "number": selectors.masked_number(licence),
                    "verify_url": url,
                    "qr": qr_svg(url, css_class="licence-qr"),
                }
            )
    response = render(
        request,
        "licences/mine.html",
        {"rows": rows, "person": person, "signed_fields": canonical.SIGNED_FIELDS},
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def pdf(request: HttpRequest, token: str) -> HttpResponse:
    """The licence as a PDF with its QR code, for its holder only (it shows the data unmasked)."""
    person, enterprises = permissions.applicant_subjects(request.user)
    licence = (
        selectors.licences_of(person, list(enterprises)).filter(token=token).first()
        if person is not None
        else None
    )
    if licence is None:
        raise Http404("no such licence of yours")
    url = verify_url(licence)
    html = render_to_string(
        "licences/licence_pdf.html",
        {
            "licence": licence,
            "qr": qr_svg(url, css_class="licence-qr"),
            "verify_url": url,
            "fingerprint": licence.signing_key.fingerprint,
            "signature": licence.signature,
        },
    )
    try:
        body = html_to_pdf(html)
    except RenderUnavailable as error:
        return HttpResponse(str(error), status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="licence-{licence.number}.pdf"'
    response["Cache-Control"] = "no-store"
    return response
