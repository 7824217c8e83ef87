"""12345 JSON endpoints (session-authenticated, CSRF-protected like every POST of the site).

``POST /appeals/api/appeals`` takes a ticket in (``channel`` hotline needs a hotline agent; web is
open to the public) and may route it at once (``route``: ``{"lead": "SCJG", "assisting": [...]}``,
``{"answer": "..."}`` or ``{"refuse_kind": "..."}``); ``GET /appeals/api/appeals/<number>`` reads
one the user may see; ``POST /appeals/api/appeals/<number>/<action>`` runs an action of the
transition table with its parameters and the ``version`` the client saw. Refusals come back as
``{"error", "message_zh", "message_en"}`` with 403 / 404 / 409 / 422. Caller identities are
never in these responses (masked phone only).
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET, require_POST

from banshi.appeals import actions, selectors, services
from banshi.appeals.errors import AppealError, NotFound, RuleViolation
from banshi.appeals.models import Appeal
from banshi.appeals.transitions import STATE_LABELS, State

MAX_BODY = 64 * 1024


def _body(request: HttpRequest) -> dict:
    if len(request.body) > MAX_BODY:
        raise RuleViolation("请求内容过大", f"the request body exceeds {MAX_BODY} bytes")
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise RuleViolation("请求内容不是有效的 JSON", "the body is not valid JSON") from None
    if not isinstance(data, dict):
        raise RuleViolation("请求内容应为 JSON 对象", "the body must be a JSON object")
    return data


def _error(error: AppealError) -> JsonResponse:
    return JsonResponse(error.as_json(), status=error.status)


def present(appeal: Appeal) -> dict[str, Any]:
    return {
        "number": appeal.number,
        "type": appeal.appeal_type,
        "urgency": appeal.urgency,
        "channel": appeal.channel,
        "category": appeal.category.code,
        "title": appeal.title,
        "state": appeal.state,
        "state_label": STATE_LABELS[State(appeal.state)],
        "lead_department": appeal.lead_department.code if appeal.lead_department_id else None,
        "round": appeal.round,
        "ack_due": appeal.ack_due,
        "return_due": appeal.return_due,
        "due": appeal.due,
        "due_provisional": appeal.due_provisional,
        "on_time": appeal.on_time,
        "returned_count": appeal.returned_count,
        "reopen_count": appeal.reopen_count,
        "caller_phone_masked": services.masked_caller(appeal).phone,
        "received_at": appeal.received_at,
        "version": appeal.version,
    }


def _json(appeal: Appeal, status: int = 200) -> JsonResponse:
    return JsonResponse(present(appeal), status=status, json_dumps_params={"ensure_ascii": False})


@require_POST
def collection(request: HttpRequest) -> JsonResponse:
    try:
        data = _body(request)
        route_data = data.get("route") or None
        route = None
        if route_data is not None:
            if not isinstance(route_data, dict):
                raise RuleViolation("route 应为对象", "route must be an object")
            route = services.Route(
                answer=str(route_data.get("answer") or ""),
                knowledge_entry=route_data.get("knowledge_entry"),
                refuse_kind=str(route_data.get("refuse_kind") or ""),
                refuse_note=str(route_data.get("refuse_note") or ""),
                lead=str(route_data.get("lead") or ""),
                assisting=[str(code) for code in route_data.get("assisting") or []],
                instructions=str(route_data.get("instructions") or ""),
            )
        intake = services.Intake(
            appeal_type=str(data.get("type") or ""),
            category=data.get("category") or "",
            title=str(data.get("title") or ""),
            content=str(data.get("content") or ""),
            caller_phone=str(data.get("caller_phone") or ""),
            caller_name=str(data.get("caller_name") or ""),
            urgency=str(data.get("urgency") or "normal"),
            area=str(data.get("area") or ""),
            address=str(data.get("address") or ""),
            contact_needed=bool(data.get("contact_needed", True)),
            confidential=bool(data.get("confidential", False)),
            source_reference=str(data.get("source_reference") or ""),
        )
        appeal = services.take_in(
            request.user, intake, channel=str(data.get("channel") or "web"), route=route
        )
    except AppealError as error:
        return _error(error)
    return _json(appeal, 201)


@require_GET
def item(request: HttpRequest, number: str) -> JsonResponse:
    appeal = selectors.visible(request.user).filter(number=number).first()
    if appeal is None:
        return _error(NotFound("工单不存在或无权查看", "no such ticket, or not yours to see"))
    return _json(appeal)


@require_POST
def action(request: HttpRequest, number: str, action: str) -> JsonResponse:
    try:
        data = _body(request)
        if not selectors.visible(request.user).filter(number=number).exists():
            raise NotFound("工单不存在或无权查看", "no such ticket, or not yours to see")
        actions.perform(number, action, request.user, data)
    except AppealError as error:
        return _error(error)
    return _json(Appeal.objects.select_related("category", "lead_department").get(number=number))
