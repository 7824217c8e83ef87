"""Policies: saving refuses bad conditions with a message that points at them; versions and status."""

from __future__ import annotations

import pytest

from banshi.policies import conditions, services
from banshi.policies.models import (
    PolicyEvent,
    PolicyStatus,
    PolicyVersion,
    VersionStatus,
)

GOOD = [("注册资本不低于500万元", "enterprise.registered_capital >= 500")]


def refusal(make_policy, pairs, **content) -> str:
    with pytest.raises(services.PolicyError) as caught:
        make_policy(pairs, publish=False, **content)
    return str(caught.value)


def test_an_unknown_attribute_is_refused_with_a_caret_and_suggestions(make_policy):
    message = refusal(make_policy, [("资本", "enterprise.capital >= 500")])
    assert "第 1 条条件「资本」" in message
    assert "未知名称 'enterprise.capital'" in message and "enterprise.registered_capital" in message
    assert "  enterprise.capital >= 500\n  ^^^^^^^^^^^^^^^^^^" in message


def test_a_date_compared_with_a_number_is_refused(make_policy):
    message = refusal(make_policy, [*GOOD, ("成立", "enterprise.established_on > 2015")])
    assert "第 2 条条件「成立」" in message
    assert "不能用 > 比较日期与数值" in message and "cannot compare a date with a number" in message


def test_division_by_zero_is_refused_at_the_divisor(make_policy):
    message = refusal(make_policy, [("人均", "enterprise.revenue / (3 - 3) > 1")])
    assert "除数为 0" in message and "division by zero" in message
    assert "\n" + " " * 24 + "^^^^^\n" in message + "\n"  # under "3 - 3"


def test_an_expression_that_is_not_true_or_false_is_refused(make_policy):
    message = refusal(make_policy, [("人数", "enterprise.employees + 1")])
    assert "条件的结果应为真假值，而不是数值" in message


def test_a_syntax_error_points_at_the_character(make_policy):
    message = refusal(make_policy, [("资本", "enterprise.registered_capital >= ")])
    assert "语法错误" in message and "^" in message


def test_every_problem_is_reported_at_once(make_policy):
    with pytest.raises(services.PolicyError) as caught:
        make_policy(
            [("a", "enterprise.capital > 1"), ("b", "enterprise.employees / 0 > 1")],
            publish=False,
            title="",
        )
    fields = [problem["field"] for problem in caught.value.problems]
    assert fields.count("conditions") == 2 and "title" in fields


def test_repeated_names_and_empty_lists_are_refused():
    assert "重复" in str(
        conditions.check([("a", "enterprise.is_sme"), ("a", "enterprise.is_listed")])
        .problems[0]
        .message
    )
    assert "至少需要一条" in conditions.check([]).problems[0].message


def test_the_editor_text_is_one_condition_per_line():
    text = "# 注释\n注册资本：enterprise.registered_capital >= 500\n\nenterprise.is_high_tech\n名称: enterprise.district == 'a:b'"
    assert conditions.parse_lines(text) == [
        ("注册资本", "enterprise.registered_capital >= 500"),
        ("", "enterprise.is_high_tech"),
        ("名称", "enterprise.district == 'a:b'"),
    ]


def test_conditions_are_stored_as_source_and_ast(make_policy):
    version = make_policy(GOOD, publish=False)
    stored = version.conditions[0]
    assert stored["name"] == "注册资本不低于500万元"
    assert stored["source"] == "enterprise.registered_capital >= 500"
    assert stored["ast"]["node"] == "compare" and stored["ast"]["op"] == ">="


def test_a_benefit_formula_must_be_a_number(make_policy):
    message = refusal(
        make_policy, GOOD, benefit_kind="expression", benefit_expression="enterprise.is_high_tech"
    )
    assert "金额计算式" in message and "数值" in message


def test_a_benefit_formula_over_the_portrait_is_stored(make_policy):
    version = make_policy(
        GOOD,
        publish=False,
        benefit_kind="expression",
        benefit_expression="enterprise.insured_employees * 1000",
        benefit_cap="50000",
    )
    assert version.benefit_ast["node"] == "binary" and version.benefit_amount is None


def test_an_apply_policy_needs_a_catalogue_item(make_policy):
    assert "申报事项" in refusal(make_policy, GOOD, mode="apply")


def test_validity_must_not_end_before_it_starts(make_policy):
    assert "早于生效日" in refusal(
        make_policy, GOOD, valid_from="2025-06-01", valid_until="2025-05-01"
    )


# -- status and versions ----------------------------------------------------------------------


def test_a_new_policy_is_a_draft_then_published(make_policy, staff):
    draft = make_policy(GOOD, publish=False)
    assert draft.policy.status == PolicyStatus.DRAFT and draft.status == VersionStatus.DRAFT
    published = services.publish(draft, user=staff["writer"])
    published.policy.refresh_from_db()
    assert (
        published.status == VersionStatus.PUBLISHED
        and published.policy.status == PolicyStatus.PUBLISHED
    )
    assert published.published_at is not None


def test_a_published_version_cannot_be_edited(make_policy, staff):
    version = make_policy(GOOD)
    with pytest.raises(services.PolicyError) as caught:
        services.save_draft(version, user=staff["writer"], title="改")
    assert caught.value.code == "not_draft"


def test_a_change_is_a_new_version_and_the_old_one_is_kept(make_policy, staff):
    first = make_policy(GOOD)
    draft = services.new_version(first.policy, user=staff["writer"])
    assert draft.number == 2 and draft.conditions == first.conditions
    draft = services.save_draft(draft, user=staff["writer"], title="修订后", change_note="提高门槛")
    second = services.publish(draft, user=staff["writer"])
    first.refresh_from_db()
    second.policy.refresh_from_db()
    assert first.status == VersionStatus.SUPERSEDED and first.title == "测试政策"
    assert second.status == VersionStatus.PUBLISHED and second.policy.status == PolicyStatus.CHANGED
    assert PolicyVersion.objects.filter(policy=first.policy).count() == 2


def test_repeal_keeps_the_history(make_policy, staff):
    version = make_policy(GOOD)
    policy = services.repeal(version.policy, user=staff["writer"], note="政策到期")
    version.refresh_from_db()
    assert policy.status == PolicyStatus.REPEALED and version.status == VersionStatus.REPEALED
    actions = list(PolicyEvent.objects.filter(policy=policy).values_list("action", flat=True))
    assert actions == ["created", "published", "repealed"]
    with pytest.raises(services.PolicyError):
        services.new_version(policy, user=staff["writer"])


def test_only_catalogue_admins_write_policies(make_policy, staff, departments):
    for who in ("kj_reviewer", "clerk"):
        with pytest.raises(services.PolicyError) as caught:
            services.create_policy(
                "X-1",
                departments["KJ"],
                user=staff[who],
                title="t",
                mode="auto_grant",
                benefit_amount="1",
                conditions=GOOD,
            )
        assert caught.value.code == "forbidden"


def test_a_policy_code_is_unique(make_policy, departments, staff):
    make_policy(GOOD, publish=False)
    with pytest.raises(services.PolicyError) as caught:
        services.create_policy(
            "t-001",
            departments["KJ"],
            user=staff["writer"],
            title="t",
            mode="auto_grant",
            benefit_amount="1",
            conditions=GOOD,
        )
    assert caught.value.code == "exists"
