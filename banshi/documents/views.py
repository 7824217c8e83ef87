"""Public verification of documents (``/verify/<token>/``) and the PDF download.

Anyone holding a document may check it: the page says whether the platform issued it and whether it
is still valid, shows only what is needed to compare it with the paper (kind, number, agency, date,
the applicant masked, the digests) and compares an uploaded copy's SHA-256 with the record. The PDF
itself is served only to users :func:`~banshi.documents.permissions.can_download` allows.
"""

from __future__ import annotations

import hashlib

from django.core.files.storage import default_storage
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods

from banshi.audit.services import record_document_download
from banshi.documents.forms import CompareForm
from banshi.documents.permissions import can_download
from banshi.documents.selectors import document_by_token
from banshi.documents.services import verify_url


def _not_found(request: HttpRequest) -> HttpResponse:
    response = render(request, "documents/web/not_found.html", status=404)
    response["X-Robots-Tag"] = "noindex"
    return response


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest, token: str) -> HttpResponse:
    document = document_by_token(token)
    if document is None:
        return _not_found(request)
    comparison = None
    form = CompareForm()
    if request.method == "POST":
        form = CompareForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["pdf"]
            digest = hashlib.sha256()
            for chunk in upload.chunks():
                digest.update(chunk)
            uploaded = digest.hexdigest()
            comparison = {
                "match": uploaded == document.sha256,
                "digest": uploaded,
                "name": upload.name,
            }
    response = render(
        request,
        "documents/web/verify.html",
        {
            "document": document,
            "verify_url": verify_url(document.token),
            "form": form,
            "comparison": comparison,
            "may_download": can_download(request.user, document),
        },
    )
    response["X-Robots-Tag"] = "noindex"
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET"])
def download(request: HttpRequest, token: str) -> HttpResponse:
    document = document_by_token(token)
    if document is None:
        return _not_found(request)
    if not can_download(request.user, document):
        return render(
            request,
            "documents/web/forbidden.html",
            {"document": document, "signed_in": request.user.is_authenticated},
            status=403,
        )
    record_document_download(request, document)  # 审计: staff took the unmasked PDF
    response = FileResponse(
        default_storage.open(document.file_name, "rb"), content_type="application/pdf"
    )
    response["Content-Disposition"] = content_disposition_header(
        True, f"{document.title}-{document.number}.pdf"
    )
    response["Cache-Control"] = "private, no-store"
    return response
