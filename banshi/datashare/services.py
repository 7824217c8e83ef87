"""Data sharing's operations: :func:`fetch` (one recorded call) and :func:`verify_material` (may
this material be skipped, or must the applicant upload it?).

Every call, whatever its outcome, leaves a :class:`DataShareCall` and an audit entry
(``datashare.call``) naming who asked, for which case and purpose. A source that is down, times out
or is switched off never becomes an error page: :func:`verify_material` answers ``unavailable``
and the draft falls back to an upload for that material (:func:`with_upload_fallback`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from banshi.audit.models import Action
from banshi.audit.services import mask_text, record
from banshi.core import clock
from banshi.datashare import selectors
from banshi.datashare.models import DataShareCall, DataShareSource, ProviderKind
from banshi.datashare.providers import (
    ERROR,
    NOT_FOUND,
    HttpProvider,
    LocalProvider,
    ShareResult,
    ShareSubject,
)
from banshi.people import identifiers

VERIFIED, UNAVAILABLE = "verified", "unavailable"


class DataShareError(ValueError):
    """Bad input to a data-sharing call (Chinese and English)."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.zh, self.en = zh, en


# ------------------------------------------------------------------------------------ subjects
def share_subject(subject: Any) -> ShareSubject:
    """A Person, an Enterprise or a ShareSubject as the question's subject."""
    if isinstance(subject, ShareSubject):
        return subject
    label = getattr(getattr(subject, "_meta", None), "label_lower", "")
    if label == "people.person":
        return ShareSubject("person", subject.id_number, subject.name, subject.pk)
    if label == "people.enterprise":
        return ShareSubject("enterprise", subject.uscc, subject.name, subject.pk)
    raise DataShareError(
        "核验对象须为自然人或法人", "the subject must be a person or an enterprise"
    )


def _masked_label(subject: ShareSubject) -> str:
    if subject.kind == "person":
        masked = identifiers.mask_id_number(subject.identifier)
        return f"{identifiers.mask_name(subject.name)} {masked}"
    return f"{subject.name} {subject.identifier}"


def minimise(data: Any, *, depth: int = 0) -> Any:
    """What came back, as stored: identifiers and phones masked, names masked, long text cut,
    lists reduced to their length (PIPL §6 minimum necessary; 等保 个人信息保护)."""
    if isinstance(data, dict):
        if depth > 1:
            return f"{{{len(data)} 项}}"
        return {
            str(key)[:50]: identifiers.mask_name(str(value))
            if str(key).endswith("name") and key not in ("name_of", "enterprise_name")
            and isinstance(value, str) and len(value) <= 4
            else minimise(value, depth=depth + 1)
            for key, value in list(data.items())[:30]
        }  # fmt: skip
    if isinstance(data, list | tuple):
        return f"[{len(data)} 项]"
    if isinstance(data, str):
        return mask_text(data)[:100]
    return data


# --------------------------------------------------------------------------------------- calls
def _credentials() -> dict[str, str]:
    return dict(getattr(settings, "BANSHI_DATASHARE_CREDENTIALS", {}) or {})


def provider_for(kind: str):
    return HttpProvider(_credentials()) if kind == ProviderKind.HTTP else LocalProvider()


def resolve_source(source: DataShareSource | str) -> tuple[DataShareSource | None, str, str]:
    """``(source row or None, code, provider kind)``. A code the catalogue names but nobody
    configured is answered by ``BANSHI_DATASHARE_UNCONFIGURED`` (``local`` by default: the
    platform's own profiles; ``none``: unavailable, so the applicant uploads). The rows come from
    the per-process :func:`~banshi.datashare.selectors.sources` (no statement, normally)."""
    if isinstance(source, DataShareSource):
        return source, source.code, source.provider
    row = selectors.sources().get(source)
    if row is not None:
        return row, row.code, row.provider
    return None, str(source), getattr(settings, "BANSHI_DATASHARE_UNCONFIGURED", "local")


def fetch(
    source: DataShareSource | str,
    subject: Any,
    material_code: str,
    *,
    purpose: str,
    case: Any = None,
    actor: Any = None,
) -> ShareResult:
    """Ask one source about one subject for one material; record the call whatever happens."""
    purpose = (purpose or "").strip()
    if len(purpose) < 2:
        raise DataShareError("数据共享调用须说明用途", "a data-sharing call must state its purpose")
    who = share_subject(subject)
    row, code, kind = resolve_source(source)
    case_number = str(getattr(case, "number", case or ""))[:48]
    started = time.perf_counter()
    if row is not None and not row.enabled:
        result = ShareResult(ERROR, error="数据共享来源已停用 / the source is switched off")
    elif kind not in (ProviderKind.LOCAL, ProviderKind.HTTP):
        result = ShareResult(
            ERROR, error=f"数据共享来源 {code} 未配置 / source {code!r} not configured"
        )
    else:
        try:
            result = provider_for(kind).fetch(
                row, who, material_code, purpose=purpose, case=case_number
            )
        except Exception as error:  # a provider bug must not become the applicant's error page
            result = ShareResult(
                ERROR, error=f"数据共享调用异常 / provider failed: {error!r}"[:300]
            )
    duration_ms = int((time.perf_counter() - started) * 1000)
    _record_call(
        row, code, kind, who, material_code, purpose, case_number, actor, result, duration_ms
    )
    return result


def _record_call(row, code, kind, who, material_code, purpose, case_number, actor, result, ms):
    user = actor if getattr(actor, "is_authenticated", False) else None
    label = _masked_label(who)
    with transaction.atomic():
        call = DataShareCall.objects.create(
            at=clock.now(),
            source=row,
            source_code=code,
            provider=kind if kind in ProviderKind.values else ProviderKind.LOCAL,
            user=user,
            case_number=case_number,
            purpose=purpose[:300],
            material_code=material_code,
            subject_kind=who.kind,
            subject_label=label,
            request_summary={"material": material_code, "subject_kind": who.kind},
            outcome=result.outcome,
            response_summary=minimise(result.data),
            error=result.error[:300],
            duration_ms=ms,
        )
        record(
            actor=user,
            action=Action.DATA_SHARE,
            subject=(who.kind, str(who.pk or ""), label),
            purpose=purpose,
            case=case_number,
            details={
                "call": call.pk,
                "source": code,
                "material": material_code,
                "outcome": result.outcome,
            },
        )
    return call


# -------------------------------------------------------------------------------- verification
@dataclass(frozen=True)
class Verification:
    """Whether a material is proved by data (``verified``) or must be uploaded (``unavailable``)."""

    status: str
    reason_zh: str = ""
    reason_en: str = ""

    @property
    def verified(self) -> bool:
        return self.status == VERIFIED


def _cache_key(source_code: str, who: ShareSubject, material_code: str) -> str:
    raw = f"{source_code}|{who.kind}|{who.identifier}|{material_code}"
    return "banshi:datashare:" + hashlib.sha256(raw.encode("utf-8")).hexdigest()


def verify_material(
    material_code: str,
    source: DataShareSource | str,
    subject: Any,
    *,
    purpose: str,
    case: Any = None,
    actor: Any = None,
) -> Verification:
    """Can ``material_code`` be taken from ``source`` for ``subject``? ``unavailable`` (never an
    exception) when the source is down, times out, is off, or holds nothing about the subject.
    Answers are kept ``BANSHI_DATASHARE_CACHE_SECONDS`` so that page redraws do not call again."""
    who = share_subject(subject)
    code = source.code if isinstance(source, DataShareSource) else str(source)
    key = _cache_key(code, who, material_code)
    cached = cache.get(key)
    if cached is not None:
        return Verification(*cached)
    result = fetch(source, who, material_code, purpose=purpose, case=case, actor=actor)
    if result.ok:
        answer = Verification(VERIFIED)
    elif result.outcome == NOT_FOUND:
        answer = Verification(
            UNAVAILABLE,
            f"「{code}」中未查到您的信息",
            f"{code!r} holds nothing about you",
        )
    else:
        answer = Verification(
            UNAVAILABLE,
            f"「{code}」暂时无法核验",
            f"{code!r} cannot verify it right now",
        )
    seconds = int(getattr(settings, "BANSHI_DATASHARE_CACHE_SECONDS", 300))
    if seconds > 0:
        cache.set(key, (answer.status, answer.reason_zh, answer.reason_en), seconds)
    return answer


def with_upload_fallback(plan: Any, draft: Any) -> Any:
    """The draft's plan with every data-share material that cannot be verified now turned into an
    upload (the applicant uploads it instead of meeting an error). Used by
    :func:`banshi.cases.drafts.plan_for`."""
    from banshi.catalog import compiler

    if plan is None or not any(m.route == compiler.ROUTE_DATA_SHARE for m in plan.materials):
        return plan
    person = draft.principal or draft.owner
    actor = getattr(draft.owner, "user", None)
    sources = selectors.sources()  # kept per process: a submission normally reads none
    changed = []
    for planned in plan.materials:
        if planned.route == compiler.ROUTE_DATA_SHARE:
            row = sources.get(planned.data_share)
            wants_enterprise = row is not None and row.subject_kind == "enterprise"
            subject = draft.enterprise if wants_enterprise and draft.enterprise else person
            answer = verify_material(
                planned.code,
                row or planned.data_share,
                subject,
                purpose=f"网上申请材料核验：{plan.name}",
                actor=actor,
            )
            if not answer.verified:
                planned = dataclasses.replace(planned, route=compiler.ROUTE_UPLOAD)
        changed.append(planned)
    return dataclasses.replace(plan, materials=tuple(changed))
