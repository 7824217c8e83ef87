"""/messages/: the inbox, mark one or all read, and the person's channel preferences."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from banshi.notify import selectors, services
from banshi.notify.models import Preference


@never_cache
@require_GET
@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """消息中心: newest first, unread marked."""
    only_unread = request.GET.get("unread") == "1"
    rows = selectors.inbox(request.user)
    if only_unread:
        rows = rows.filter(read_at__isnull=True)
    page = Paginator(rows, 20).get_page(request.GET.get("page"))
    person = getattr(request.user, "person", None)
    preference = Preference.objects.filter(person=person).first() if person else None
    return render(
        request,
        "notify/inbox.html",
        {
            "page": page,
            "only_unread": only_unread,
            "unread": selectors.unread_count(request.user),
            "person": person,
            "preference": preference,
            "default_channels": services.wanted_channels(person) if person else [],
        },
    )


@require_POST
@login_required
def read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one message read and open its link (a path on this site only)."""
    notification = get_object_or_404(selectors.inbox(request.user), pk=pk)
    services.mark_read(selectors.inbox(request.user).filter(pk=notification.pk))
    link = notification.link
    if link and url_has_allowed_host_and_scheme(link, allowed_hosts={request.get_host()}):
        return redirect(link)
    return redirect("notify:inbox")


@require_POST
@login_required
def read_all(request: HttpRequest) -> HttpResponse:
    count = services.mark_read(selectors.inbox(request.user))
    messages.success(
        request,
        ngettext("已将 %(count)d 条消息标为已读", "已将 %(count)d 条消息标为已读", count)
        % {"count": count},
    )
    return redirect("notify:inbox")


@require_POST
@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    """The person's channels besides the in-platform message (addresses come from the profile)."""
    person = getattr(request.user, "person", None)
    if person is None:
        messages.error(request, _("只有申请人账号可以设置通知方式 / applicants only"))
        return redirect("notify:inbox")
    services.set_preference(
        person, email=request.POST.get("email") == "on", sms=request.POST.get("sms") == "on"
    )
    messages.success(request, _("通知方式已保存"))
    return redirect("notify:inbox")
