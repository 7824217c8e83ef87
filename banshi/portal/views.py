"""Public pages (公众门户). Thin: parse input, call a selector, render; no rules live here."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET
from django_htmx.http import replace_url

from banshi.catalog import search as catalogue_search
from banshi.portal import selectors

SEARCH_LIMIT = 50


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """首页: search box, bundles by audience and life-cycle stage, batches, departments."""
    return render(request, "portal/home.html", {"page": selectors.home_page()})


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """检索: items and bundles whose text holds every word of ``q``."""
    query = request.GET.get("q", "")
    hits = catalogue_search.search(query, limit=SEARCH_LIMIT) if query.strip() else []
    return render(
        request,
        "portal/search.html",
        {"query": query, "hits": hits, "blank": not query.strip(), "limit": SEARCH_LIMIT},
    )


@require_GET
def department(request: HttpRequest, code: str) -> HttpResponse:
    """A department's items and bundles."""
    page = selectors.department_page(code)
    if page is None:
        raise Http404(code)
    return render(request, "portal/department.html", {"page": page})


@require_GET
def item(request: HttpRequest, code: str) -> HttpResponse:
    """An item's service guide (办事指南)."""
    guide = selectors.item_guide(code)
    if guide is None:
        raise Http404(code)
    return render(request, "portal/item.html", {"guide": guide})


@require_GET
def bundle(request: HttpRequest, code: str) -> HttpResponse:
    """A bundle's guide with its situation questions and the plan for the answers in the URL."""
    guide = selectors.bundle_guide(code, request.GET)
    if guide is None:
        raise Http404(code)
    return render(request, "portal/bundle.html", {"guide": guide, "plan": guide.plan})


@require_GET
def bundle_plan(request: HttpRequest, code: str) -> HttpResponse:
    """The plan fragment for htmx; a plain browser visit goes to the full page with the answers."""
    page_url = reverse("portal:bundle", args=[code])
    if not request.htmx:
        query = request.GET.urlencode()
        return redirect(f"{page_url}?{query}" if query else page_url)
    plan = selectors.bundle_plan_for(code, request.GET)
    if plan is None:
        raise Http404(code)
    response = render(request, "portal/_plan.html", {"plan": plan, "oob": True})
    query = urlencode(plan.answer_query)
    return replace_url(response, f"{page_url}?{query}" if query else page_url)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The Chinese (or English) 404 page for unknown codes and addresses."""
    return render(request, "404.html", status=404)
