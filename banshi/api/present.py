"""Shaping applications, drafts and cases into the API's output (read-only, no rules)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ObjectDoesNotExist

from banshi.cases import drafts, selectors, services
from banshi.cases import permissions as case_permissions
from banshi.cases.models import Application, ApplicationDraft, ApplicationStatus, Case, CaseEvent
from banshi.cases.transitions import STATE_LABELS, Action, State, allowed_actions
from banshi.core import clock
from banshi.people.identifiers import mask_name

DRAFT_PREFIX = "DR-"

# The engine's action → the API's action name (docs/api.md); applicant and system actions are
# not offered on the staff endpoint.
API_ACTION = {
    Action.ACCEPT: "accept",
    Action.REQUEST_CORRECTION: "request_correction",
    Action.REFUSE_AT_INTAKE: "refuse",
    Action.CORRECT_ON_THE_SPOT: "correct_on_the_spot",
    Action.START_REVIEW: "start_review",
    Action.GIVE_OPINION: "opinion",
    Action.PAUSE: "pause",
    Action.RESUME: "resume",
    Action.REQUEST_EXTENSION: "request_extension",
    Action.APPROVE_EXTENSION: "approve_extension",
    Action.GRANT: "decide",
    Action.DENY: "decide",
    Action.DECIDE_ON_THE_SPOT: "decide_on_the_spot",
    Action.DENY_ON_THE_SPOT: "decide_on_the_spot",
    Action.ISSUE: "issue",
    Action.CLOSE: "close",
    Action.SUPERVISE: "supervise",
}


def local(moment: dt.datetime | None) -> dt.datetime | None:
    """Every moment in the platform's zone, whether it came fresh from the clock or from the
    database (UTC): a retried request must answer byte for byte the same."""
    return None if moment is None else moment.astimezone(clock.zone())


def state_label(state: str) -> str:
    try:
        return STATE_LABELS[State(state)]
    except ValueError:
        return state


def case_brief(case: Case) -> dict[str, Any]:
    return {
        "number": case.number,
        "item_code": case.item.code,
        "item_name": case.item_version.name,
        "department": case.department.code,
        "department_name": case.department.name,
        "state": case.state,
        "state_label": state_label(case.state),
        "decision_days": case.decision_days,
        "decision_due": case.decision_due,
        "issue_due": case.issue_due,
        "outcome": case.outcome or None,
        "version": case.version,
    }


def event_out(event: CaseEvent, case_numbers: dict[int, str]) -> dict[str, Any]:
    return {
        "at": local(event.at),
        "kind": event.kind,
        "case": case_numbers.get(event.case_id) if event.case_id else None,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "actor_role": event.actor_role,
        "data": event.data,
    }


def draft_number(draft: ApplicationDraft) -> str:
    return f"{DRAFT_PREFIX}{draft.pk}"


def application_out(
    application: Application, *, draft: ApplicationDraft | None = None, fresh: bool = False
) -> dict[str, Any]:
    """The tracking view: status, cases with their states and due dates, the events timeline.

    ``fresh``: the application was filed by this very request; its cases and events are taken as
    the engine wrote them (:func:`banshi.cases.services.as_filed`) instead of being read back
    (a just-filed application has no correction notice yet). The answer is the same as a read's."""
    filed = services.as_filed(application) if fresh else None
    if filed is not None:
        cases, events = filed
        notice = None
    else:
        cases = list(
            application.cases.select_related("item", "item_version", "department").order_by(
                "position"
            )
        )
        events = list(selectors.timeline(application))
        try:
            notice = application.correction_notice
        except ObjectDoesNotExist:
            notice = None
    numbers = {case.pk: case.number for case in cases}
    if draft is None:
        draft = ApplicationDraft.objects.filter(application=application).only("pk").first()
    return {
        "number": application.number,
        "draft": draft_number(draft) if draft is not None else None,
        "status": application.status,
        "status_label": application.get_status_display(),
        "title": application.title,
        "bundle_code": application.bundle.code if application.bundle_id else None,
        "item_code": application.item.code if application.item_id else None,
        "enterprise": application.enterprise.uscc if application.enterprise_id else None,
        "channel": application.channel,
        "answers": application.answers,
        "form_data": application.form_data,
        "materials": application.materials,
        "version": application.version,
        "received_at": local(application.received_at),
        "correction_due": application.correction_due,
        "intake_due": application.intake_due,
        "accepted_at": local(application.accepted_at),
        "completed_at": local(application.completed_at),
        "cases": [case_brief(case) for case in cases],
        "events": [event_out(event, numbers) for event in events],
        "correction_notice": None
        if notice is None
        else {
            "items": notice.items,
            "issued_at": local(notice.issued_at),
            "due": notice.due,
            "answered_at": local(notice.answered_at),
        },
        "output": application.output,
    }


def draft_out(draft: ApplicationDraft) -> dict[str, Any]:
    """A draft with its pre-review: the form as it will be filed, materials, findings."""
    checked = drafts.review(draft)
    fields = drafts.form_fields(draft, checked.drafted) if checked.plan else []
    materials = drafts.material_views(draft, checked.drafted) if checked.plan else []
    return {
        "number": draft_number(draft),
        "draft": draft_number(draft),
        "status": ApplicationStatus.DRAFT.value,
        "status_label": ApplicationStatus.DRAFT.label,
        "title": draft.title,
        "bundle_code": draft.bundle_code or None,
        "item_code": draft.item_code or None,
        "enterprise": draft.enterprise.uscc if draft.enterprise_id else None,
        "channel": "",
        "answers": draft.answers,
        "form_data": {f.code: f.value for f in fields if f.value.strip()},
        "materials": [],
        "version": None,
        "draft_detail": {
            "can_submit": checked.can_submit,
            "problem": " / ".join(checked.problem) if checked.problem else None,
            "prefill_consent": draft.consent_given,
            "items": [item.code for item in checked.plan.items] if checked.plan else [],
            "fields": [
                {
                    "code": f.code,
                    "label": f.label,
                    "type": f.type,
                    "value": f.value,
                    "origin": f.origin or "empty",
                    "locked": f.locked,
                }
                for f in fields
            ],
            "materials": [
                {
                    "code": m.code,
                    "name": m.name,
                    "route": m.route,
                    "needs_upload": m.needs_upload,
                    "mode": m.mode,
                    "files": [stored.pk for stored in m.files],
                    "commitment_allowed": m.commitment_allowed,
                    "deficiency_allowed": m.deficiency_allowed,
                    "note_zh": m.note_zh,
                    "note_en": m.note_en,
                }
                for m in materials
            ],
            "findings": [finding_out(finding) for finding in checked.findings],
        },
    }


def finding_out(finding) -> dict[str, Any]:
    return {
        "severity": finding.severity,
        "kind": finding.kind,
        "code": finding.code,
        "rule": finding.rule,
        "message_zh": finding.zh,
        "message_en": finding.en,
    }


def draft_summary(draft: ApplicationDraft) -> dict[str, Any]:
    return {
        "number": draft_number(draft),
        "status": ApplicationStatus.DRAFT.value,
        "status_label": ApplicationStatus.DRAFT.label,
        "title": draft.title,
        "version": None,
        "received_at": None,
        "updated_at": local(draft.updated_at),
    }


def file_out(stored) -> dict[str, Any]:
    return {
        "id": stored.pk,
        "sha256": stored.sha256,
        "size": stored.size,
        "content_type": stored.content_type,
        "name": stored.original_name,
    }


def application_summary(application: Application) -> dict[str, Any]:
    return {
        "number": application.number,
        "status": application.status,
        "status_label": application.get_status_display(),
        "title": application.title,
        "version": application.version,
        "received_at": local(application.received_at),
        "updated_at": local(application.updated_at),
    }


def case_out(case: Case, user) -> dict[str, Any]:
    """A case for staff: the case, its application's reference data and the case's events."""
    application = case.application
    roles = case_permissions.roles_for(user, application)
    actions = []
    for action in allowed_actions(case.state, roles):
        name = API_ACTION.get(action)
        if name and name not in actions:
            actions.append(name)
    events = selectors.timeline(application, case)
    return {
        **case_brief(case),
        "id": case.pk,
        "application": {
            "number": application.number,
            "title": application.title,
            "status": application.status,
            "version": application.version,
            "applicant": mask_name(application.applicant.name),
            "enterprise": application.enterprise.name if application.enterprise_id else None,
            "received_at": local(application.received_at),
            "correction_due": application.correction_due,
            "intake_due": application.intake_due,
        },
        "joint_review": case.joint_review,
        "on_the_spot": case.on_the_spot,
        "extension_days": case.extension_days,
        "decided_at": local(case.decided_at),
        "decision_reasons": case.decision_reasons,
        "issued_at": local(case.issued_at),
        "closed_at": local(case.closed_at),
        "allowed_actions": actions,
        "events": [event_out(event, {case.pk: case.number}) for event in events],
    }
