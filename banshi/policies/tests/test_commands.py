"""Management commands: ``banshi match_policies`` and ``banshi policy_demo``."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from banshi.core import clock
from banshi.people.models import Person
from banshi.policies.models import MatchRun, PersonPortrait, Policy, PolicyVersion

THREE = [("高新", "enterprise.is_high_tech"), ("参保", "enterprise.insured_employees >= 10")]


def test_match_policies_full_then_one_policy_then_changes(make_enterprise, make_policy, capsys):
    firm = make_enterprise(is_high_tech=True, insured_employees=12)
    version = make_policy(THREE)
    call_command("match_policies", "--full")
    assert "全量匹配 已完成" in capsys.readouterr().out
    call_command("match_policies", "--policy", version.policy.code.lower())
    assert PolicyVersion.objects.get(pk=version.pk).current_run.kind == "policy"
    call_command("match_policies", "--changed")
    assert "nothing queued" in capsys.readouterr().out
    from banshi.policies import services

    services.set_portrait_values(firm, {"enterprise.insured_employees": 3})
    call_command("match_policies", "--changed")
    assert MatchRun.objects.order_by("-pk").first().kind == "subjects"


def test_match_policies_refuses_an_unknown_policy(db):
    with pytest.raises(CommandError):
        call_command("match_policies", "--policy", "NOPE")


def test_the_demo_command_makes_policies_and_matches_them(db, capsys):
    call_command("policy_demo", "--enterprises", "30", "--persons", "20")
    call_command("policy_demo", "--enterprises", "30", "--persons", "20")  # idempotent
    assert Policy.objects.filter(code__startswith="DEMO-", subject_kind="enterprise").count() == 4
    assert Policy.objects.filter(code__startswith="DEMO-", subject_kind="person").count() == 5
    runs = MatchRun.objects.filter(kind="full", status="finished")
    assert (
        runs.filter(subject_kind="enterprise").count()
        == runs.filter(subject_kind="person").count()
        == 2
    )
    assert PersonPortrait.objects.count() == 20
    assert "/policies/mine/" in capsys.readouterr().out


def test_the_demo_citizen_enjoys_one_may_apply_for_one_and_nearly_meets_one(db):
    from banshi.core import services as core
    from banshi.policies import selectors

    core.ensure_demo_accounts()
    call_command("policy_demo", "--enterprises", "5", "--persons", "5")
    citizen = Person.objects.get(id_number="310115198506150022")
    page = selectors.mine_page(citizen.user, None, clock.today())
    assert [g.policy_version.title for g in page.enjoyed] == ["灵活就业人员社会保险补贴"]
    assert [item.version.title for item in page.may_apply] == ["育儿补贴"]
    assert [item.version.title for item in page.nearly] == ["高龄津贴"]
