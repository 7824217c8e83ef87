"""One way for every front door (pages and JSON endpoints) to call a ticket action by name.

Parsing only: strings from a form or a JSON body become the keyword arguments of the service
function; every rule stays in :mod:`banshi.appeals.services`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from banshi.appeals import services
from banshi.appeals.errors import NotFound, RuleViolation


def _get(params: Mapping, name: str, default: Any = "") -> Any:
    value = params.get(name, default)
    return default if value is None else value


def _int(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise RuleViolation(f"{value!r} 不是整数", f"{value!r} is not a whole number") from None


def _list(params: Any, name: str) -> list[str]:
    if hasattr(params, "getlist"):
        values = params.getlist(name)
    else:
        values = params.get(name) or []
        if isinstance(values, str):
            values = [values]
    return [str(v) for v in values if str(v).strip()]


def _bool(value: Any) -> bool:
    return str(value).strip().lower() in {"1", "true", "yes", "on", "approve"}


ACTIONS: dict[str, Callable[..., Any]] = {
    "dispatch": lambda n, u, v, p, phone: services.dispatch(
        n,
        u,
        v,
        lead=_get(p, "lead"),
        assisting=_list(p, "assisting"),
        instructions=_get(p, "instructions"),
    ),
    "answer_directly": lambda n, u, v, p, phone: services.answer_directly(
        n, u, v, answer=_get(p, "answer"), knowledge_entry=_int(_get(p, "knowledge_entry"))
    ),
    "refuse": lambda n, u, v, p, phone: services.refuse(
        n, u, v, kind=_get(p, "kind"), note=_get(p, "note")
    ),
    "acknowledge": lambda n, u, v, p, phone: services.acknowledge(n, u, v),
    "assist": lambda n, u, v, p, phone: services.assist(n, u, v, opinion=_get(p, "opinion")),
    "add_note": lambda n, u, v, p, phone: services.add_note(n, u, v, note=_get(p, "note")),
    "request_extension": lambda n, u, v, p, phone: services.request_extension(
        n, u, v, days=_int(_get(p, "days")) or 0, reason=_get(p, "reason")
    ),
    "approve_extension": lambda n, u, v, p, phone: services.decide_extension(
        n, u, v, approve=True, note=_get(p, "note")
    ),
    "reject_extension": lambda n, u, v, p, phone: services.decide_extension(
        n, u, v, approve=False, note=_get(p, "note")
    ),
    "return": lambda n, u, v, p, phone: services.return_appeal(
        n, u, v, reason=_get(p, "reason"), basis=_get(p, "basis")
    ),
    "reply": lambda n, u, v, p, phone: services.reply(
        n, u, v, text=_get(p, "text"), result=_get(p, "result", "resolved") or "resolved"
    ),
    "callback": lambda n, u, v, p, phone: services.callback(
        n, u, v, satisfaction=_get(p, "satisfaction"), note=_get(p, "note"), phone=phone
    ),
    "close": lambda n, u, v, p, phone: services.close(n, u, v, note=_get(p, "note")),
    "reopen": lambda n, u, v, p, phone: services.reopen(
        n, u, v, reason=_get(p, "reason"), phone=phone
    ),
    "archive": lambda n, u, v, p, phone: services.archive(n, u, v),
    "remind": lambda n, u, v, p, phone: services.remind(n, u, note=_get(p, "note")),
    "supervise": lambda n, u, v, p, phone: services.remind(
        n, u, note=_get(p, "note"), supervise=True
    ),
}
ACTIONS["redispatch"] = ACTIONS["dispatch"]


def perform(
    number: str, action: str, user: Any, params: Mapping, *, phone: str | None = None
) -> Any:
    """Run ``action`` on ticket ``number`` with ``params`` (``version`` = the optimistic lock)."""
    handler = ACTIONS.get(action)
    if handler is None:
        raise NotFound(f"没有“{action}”这个操作", f"no action named {action!r}")
    return handler(number, user, _int(_get(params, "version", None)), params, phone)
