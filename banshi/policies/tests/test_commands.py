"""Management commands: ``banshi match_policies`` and ``banshi policy_demo``."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from banshi.policies.models import MatchRun, Policy, PolicyVersion

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
    call_command("policy_demo", "--enterprises", "30")
    call_command("policy_demo", "--enterprises", "30")  # idempotent
    assert Policy.objects.filter(code__startswith="DEMO-").count() == 4
    assert MatchRun.objects.filter(kind="full", status="finished").count() == 2
    assert "/policies/mine/" in capsys.readouterr().out
