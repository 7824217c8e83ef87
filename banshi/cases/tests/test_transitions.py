"""The transition table as data (pure): one row per action, states and roles consistent."""

from __future__ import annotations

from banshi.cases import transitions
from banshi.cases.transitions import ENDED, TABLE, Action, Role, State
from banshi.people.models import Role as StaffRole


def test_every_action_has_exactly_one_row_and_a_label():
    assert [row.action for row in TABLE] == list(dict.fromkeys(row.action for row in TABLE))
    assert set(transitions.ACTION_LABELS) == set(Action)
    assert set(transitions.STATE_LABELS) == set(State)


def test_every_state_except_the_final_ones_can_be_left():
    leavable = {source for row in TABLE if row.target is not None for source in row.sources}
    # CLOSED is left only by 撤销 (a grant obtained by a false commitment, 国办发〔2020〕42号)
    final = {State.REFUSED_AT_INTAKE, State.WITHDRAWN, State.TERMINATED, State.REVOKED}
    assert set(State) - leavable == final


def test_every_state_can_be_reached_from_received():
    reached, frontier = {State.RECEIVED}, [State.RECEIVED]
    while frontier:
        state = frontier.pop()
        for row in TABLE:
            if state in row.sources and row.target and row.target not in reached:
                reached.add(row.target)
                frontier.append(row.target)
    assert reached == set(State)


def test_a_denial_ends_the_case_but_may_still_be_delivered():
    assert State.DECIDED_DENY in ENDED
    assert transitions.find(State.DECIDED_DENY, Action.CLOSE).target == State.CLOSED


def test_only_the_system_deems_acceptance_and_consent():
    assert transitions.rule(Action.DEEM_ACCEPT).roles == {Role.SYSTEM}
    assert transitions.rule(Action.DEEM_CONSENT).roles == {Role.SYSTEM}


def test_no_staff_role_decides_a_case_it_cannot_see_by_department():
    assert {Role.REVIEWER, Role.DEPARTMENT_HEAD} == transitions.DEPARTMENT_BOUND


def test_allowed_actions_for_a_reviewer_under_review():
    actions = transitions.allowed_actions(State.UNDER_REVIEW, ["reviewer"])
    assert {Action.GRANT, Action.DENY, Action.PAUSE, Action.REQUEST_EXTENSION} <= set(actions)
    assert Action.APPROVE_EXTENSION not in actions
    assert transitions.allowed_actions(State.UNDER_REVIEW, ["unknown_role"]) == []


def test_staff_roles_of_the_table_exist_in_the_people_app():
    staff = set(Role) - {Role.APPLICANT, Role.SYSTEM}
    assert {role.value for role in staff} <= set(StaffRole.values)


def test_events_are_only_ever_inserted_by_one_function():
    """Append-only: the services write events through ``_insert_events`` (one multi-row insert)
    and nowhere else: no queryset of events, no other insert of a list of events."""
    from pathlib import Path

    source = (Path(__file__).parents[1] / "services.py").read_text(encoding="utf-8")
    assert "CaseEvent.objects" not in source
    assert source.count("insert_rows_together(events") == 1
    assert source.count("_insert_events(") == 3  # the definition, _event and the submission
    assert ".delete(" not in source
