"""The bundle compiler: which items and materials apply, the merged form, routes and the schedule.

Pure tests (no database): every catalogue is built with the factories in the test that uses it.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from banshi.catalog.compiler import (
    ORIGIN_ANSWER,
    ORIGIN_PROFILE,
    ROUTE_DATA_SHARE,
    ROUTE_LICENCE,
    ROUTE_UPLOAD,
    DependencyCycleError,
    UnknownCodeError,
    compile_item_plan,
    compile_plan,
    condition_variables,
)
from banshi.catalog.tests.factories import (
    make_bundle,
    make_bundle_item,
    make_catalogue,
    make_data_element,
    make_item,
    make_material,
    make_question,
    make_requirement,
)
from banshi.expr import ExprSyntaxError, ExprTypeError

# ---------------------------------------------------------------------------------------------
# Situation conditions (情形): items and materials
# ---------------------------------------------------------------------------------------------


def _shop_catalogue():
    """Two items; the fire check (XF) and the fire plan material apply only above 300 m²."""
    return make_catalogue(
        items=[
            make_item(
                "XK", materials=["LEASE", make_requirement("FIRE-PLAN", when="shop.area > 300")]
            ),
            make_item("XF", materials=["LEASE"]),
        ],
        bundles=[
            make_bundle(
                "KBCYD",
                ["XK", make_bundle_item("XF", when="shop.area > 300")],
                questions=[make_question("shop.area", type="number")],
            )
        ],
    )


def test_item_is_chosen_only_when_its_condition_holds():
    catalogue = _shop_catalogue()

    assert compile_plan(catalogue, "KBCYD", {"shop.area": 120}).item_codes == ("XK",)
    assert compile_plan(catalogue, "KBCYD", {"shop.area": 500}).item_codes == ("XK", "XF")


def test_material_applies_only_when_its_condition_holds():
    catalogue = _shop_catalogue()

    small = compile_plan(catalogue, "KBCYD", {"shop.area": 120})
    large = compile_plan(catalogue, "KBCYD", {"shop.area": 500})

    assert small.item("XK").materials == ("LEASE",)
    assert large.item("XK").materials == ("LEASE", "FIRE-PLAN")
    assert [material.code for material in large.materials] == ["LEASE", "FIRE-PLAN"]


def test_missing_answer_makes_a_condition_false():
    plan = compile_plan(_shop_catalogue(), "KBCYD", {})

    assert plan.item_codes == ("XK",)
    assert plan.item("XK").materials == ("LEASE",)


def test_no_answers_at_all_also_evaluates_conditions_unless_assume_all():
    assert compile_plan(_shop_catalogue(), "KBCYD").item_codes == ("XK",)


def test_assume_all_counts_every_condition_as_true_even_against_the_answers():
    plan = compile_plan(_shop_catalogue(), "KBCYD", {"shop.area": 10}, assume_all=True)

    assert plan.assume_all is True
    assert plan.item_codes == ("XK", "XF")
    assert plan.item("XK").materials == ("LEASE", "FIRE-PLAN")


def test_conditions_see_profile_values_under_the_data_element_code():
    catalogue = make_catalogue(
        data_elements=[make_data_element("capital", prefill="enterprise.registered_capital")],
        items=[make_item("A"), make_item("B")],
        bundles=[make_bundle("X", ["A", make_bundle_item("B", when="capital > 100")])],
    )

    rich = compile_plan(catalogue, "X", profile={"enterprise.registered_capital": 500})
    poor = compile_plan(catalogue, "X", profile={"enterprise.registered_capital": 50})

    assert rich.item_codes == ("A", "B")
    assert poor.item_codes == ("A",)


def test_answers_override_profile_values_in_conditions():
    catalogue = make_catalogue(
        data_elements=[make_data_element("capital", prefill="enterprise.registered_capital")]
    )

    variables = condition_variables(
        catalogue, answers={"capital": 5}, profile={"enterprise.registered_capital": 500}
    )

    assert variables == {"capital": 5}


def test_data_elements_without_prefill_take_nothing_from_the_profile():
    catalogue = make_catalogue(data_elements=[make_data_element("shop.area")])

    assert condition_variables(catalogue, profile={"shop.area": 99}) == {}


def test_an_answer_of_the_wrong_type_is_an_error_naming_the_condition():
    with pytest.raises(ExprTypeError) as raised:
        compile_plan(_shop_catalogue(), "KBCYD", {"shop.area": "很大"})

    assert "bundle KBCYD, item XF" in "\n".join(raised.value.__notes__)


def test_a_malformed_condition_is_a_syntax_error_naming_the_material():
    catalogue = make_catalogue(
        items=[make_item("A", materials=[make_requirement("M", when="shop.area >")])],
        bundles=[make_bundle("X", ["A"])],
    )

    with pytest.raises(ExprSyntaxError) as raised:
        compile_plan(catalogue, "X", {"shop.area": 1})

    assert "item A, material M" in "\n".join(raised.value.__notes__)


def test_assume_all_never_evaluates_so_a_bad_answer_does_not_matter():
    plan = compile_plan(_shop_catalogue(), "KBCYD", {"shop.area": "很大"}, assume_all=True)

    assert plan.item_codes == ("XK", "XF")


# ---------------------------------------------------------------------------------------------
# The merged form (多表合一)
# ---------------------------------------------------------------------------------------------


def _form_catalogue():
    return make_catalogue(
        data_elements=[
            make_data_element("enterprise.name", prefill="enterprise.name"),
            make_data_element("person.id_number", prefill="person.id_number"),
            make_data_element("shop.area", type="number"),
            make_data_element("shop.address"),
        ],
        items=[
            make_item("A", fields=["enterprise.name", "shop.area"]),
            make_item("B", fields=["shop.address", "enterprise.name", "person.id_number"]),
        ],
        bundles=[make_bundle("X", ["A", "B"], questions=["shop.area"])],
    )


def test_merged_form_asks_each_data_element_once_in_first_use_order():
    plan = compile_plan(_form_catalogue(), "X")

    assert [field.code for field in plan.form.fields] == [
        "enterprise.name",
        "shop.area",
        "shop.address",
        "person.id_number",
    ]
    assert plan.form.field("enterprise.name").items == ("A", "B")
    assert plan.form.field("shop.address").items == ("B",)


def test_merged_form_follows_bundle_order_not_catalogue_order():
    catalogue = _form_catalogue()
    catalogue.bundles["Y"] = make_bundle("Y", ["B", "A"])

    plan = compile_plan(catalogue, "Y")

    assert [field.code for field in plan.form.fields][:2] == ["shop.address", "enterprise.name"]


def test_merged_form_prefills_values_from_the_profile_by_prefill_source():
    profile = {"enterprise.name": "好味餐饮有限公司", "person.id_number": "11010519491231002X"}

    plan = compile_plan(_form_catalogue(), "X", profile=profile)

    name = plan.form.field("enterprise.name")
    assert (name.prefill, name.value, name.value_origin) == (
        "enterprise.name",
        "好味餐饮有限公司",
        ORIGIN_PROFILE,
    )
    assert plan.form.field("person.id_number").value == "11010519491231002X"
    assert plan.form.field("shop.address").value is None


def test_merged_form_has_no_values_without_a_profile():
    plan = compile_plan(_form_catalogue(), "X")

    assert all(field.value is None and field.value_origin is None for field in plan.form.fields)
    assert plan.form.field("enterprise.name").has_prefill is True
    assert plan.form.field("shop.area").has_prefill is False


def test_an_answered_question_fills_the_field_of_the_same_code():
    plan = compile_plan(_form_catalogue(), "X", {"shop.area": 120})

    area = plan.form.field("shop.area")
    assert (area.value, area.value_origin) == (120, ORIGIN_ANSWER)


def test_questions_carry_their_answers():
    plan = compile_plan(_form_catalogue(), "X", {"shop.area": 120})
    unanswered = compile_plan(_form_catalogue(), "X", {})

    assert [(q.code, q.answer, q.answered) for q in plan.form.questions] == [
        ("shop.area", 120, True)
    ]
    assert [(q.answer, q.answered) for q in unanswered.form.questions] == [(None, False)]


# ---------------------------------------------------------------------------------------------
# Materials (材料一次提交): routes, 容缺, 告知承诺, licences from earlier items
# ---------------------------------------------------------------------------------------------


def _materials_catalogue(**bundle_kwargs):
    return make_catalogue(
        materials=[
            make_material("LEASE"),
            make_material("YYZZ-COPY", licence_type="YYZZ"),
            make_material("HUKOU", data_share="人口库"),
        ],
        items=[
            make_item("A", materials=["LEASE", "YYZZ-COPY"]),
            make_item("B", materials=["HUKOU", "LEASE"]),
        ],
        bundles=[make_bundle("X", ["A", "B"], **bundle_kwargs)],
    )


def test_each_material_appears_once_with_every_item_needing_it():
    plan = compile_plan(_materials_catalogue(), "X")

    assert [material.code for material in plan.materials] == ["LEASE", "YYZZ-COPY", "HUKOU"]
    assert plan.material("LEASE").items == ("A", "B")


def test_material_route_follows_the_material_type():
    plan = compile_plan(_materials_catalogue(), "X")

    assert plan.material("LEASE").route == ROUTE_UPLOAD
    assert plan.material("YYZZ-COPY").route == ROUTE_LICENCE
    assert plan.material("HUKOU").route == ROUTE_DATA_SHARE
    assert [m.code for m in plan.materials if m.to_upload] == ["LEASE"]


def test_licence_route_wins_over_data_share():
    catalogue = make_catalogue(
        materials=[make_material("BOTH", licence_type="YYZZ", data_share="法人库")],
        items=[make_item("A", materials=["BOTH"])],
        bundles=[make_bundle("X", ["A"])],
    )

    assert compile_plan(catalogue, "X").material("BOTH").route == ROUTE_LICENCE


def test_licence_holding_is_unknown_without_a_profile():
    material = compile_plan(_materials_catalogue(), "X").material("YYZZ-COPY")

    assert material.licence_held is None
    assert material.to_upload is False


def test_profile_says_whether_the_applicant_holds_the_licence():
    held = compile_plan(_materials_catalogue(), "X", profile={"licences": ["YYZZ"]})
    not_held = compile_plan(_materials_catalogue(), "X", profile={"licences": ["SP-JY"]})

    assert held.material("YYZZ-COPY").licence_held is True
    assert held.material("YYZZ-COPY").to_upload is False
    assert not_held.material("YYZZ-COPY").licence_held is False
    assert not_held.material("YYZZ-COPY").to_upload is True


def test_a_profile_without_licences_holds_none():
    plan = compile_plan(_materials_catalogue(), "X", profile={"enterprise.name": "x"})

    assert plan.material("YYZZ-COPY").licence_held is False
    assert plan.material("LEASE").licence_held is None


def _licence_chain_catalogue(after: tuple[str, ...]):
    """DJ issues YYZZ; XK needs the licence, after DJ or not."""
    return make_catalogue(
        materials=[make_material("YYZZ-COPY", licence_type="YYZZ")],
        items=[make_item("DJ", produces="YYZZ"), make_item("XK", materials=["YYZZ-COPY"])],
        bundles=[make_bundle("X", ["DJ", make_bundle_item("XK", after=after)])],
    )


def test_licence_produced_by_an_earlier_item_of_the_bundle_need_not_be_uploaded():
    plan = compile_plan(_licence_chain_catalogue(after=("DJ",)), "X", profile={"licences": []})

    material = plan.material("YYZZ-COPY")
    assert material.licence_held is False
    assert material.produced_by == "DJ"
    assert material.to_upload is False


def test_licence_produced_by_a_parallel_item_does_not_count_as_earlier():
    plan = compile_plan(_licence_chain_catalogue(after=()), "X", profile={"licences": []})

    material = plan.material("YYZZ-COPY")
    assert material.produced_by is None
    assert material.to_upload is True


def test_licence_producer_found_through_a_chain_of_after():
    catalogue = make_catalogue(
        materials=[make_material("YYZZ-COPY", licence_type="YYZZ")],
        items=[
            make_item("DJ", produces="YYZZ"),
            make_item("MID"),
            make_item("XK", materials=["YYZZ-COPY"]),
        ],
        bundles=[
            make_bundle(
                "X",
                [
                    "DJ",
                    make_bundle_item("MID", after=["DJ"]),
                    make_bundle_item("XK", after=["MID"]),
                ],
            )
        ],
    )

    assert compile_plan(catalogue, "X").material("YYZZ-COPY").produced_by == "DJ"


def _flags_catalogue(a_flags: dict, b_flags: dict, b_when: str | None = None):
    return make_catalogue(
        items=[
            make_item("A", materials=[make_requirement("RULES", **a_flags)]),
            make_item("B", materials=[make_requirement("RULES", when=b_when, **b_flags)]),
        ],
        bundles=[make_bundle("X", ["A", "B"])],
    )


def test_deficiency_allowed_only_when_every_requirement_allows_it():
    one = _flags_catalogue({"deficiency_allowed": True}, {"deficiency_allowed": False})
    both = _flags_catalogue({"deficiency_allowed": True}, {"deficiency_allowed": True})

    assert compile_plan(one, "X").material("RULES").deficiency_allowed is False
    assert compile_plan(both, "X").material("RULES").deficiency_allowed is True


def test_commitment_allowed_only_when_every_requirement_allows_it():
    one = _flags_catalogue({"commitment_allowed": False}, {"commitment_allowed": True})
    both = _flags_catalogue({"commitment_allowed": True}, {"commitment_allowed": True})

    assert compile_plan(one, "X").material("RULES").commitment_allowed is False
    assert compile_plan(both, "X").material("RULES").commitment_allowed is True


def test_a_requirement_that_does_not_apply_does_not_veto_deficiency():
    catalogue = _flags_catalogue(
        {"deficiency_allowed": True}, {"deficiency_allowed": False}, b_when="shop.area > 300"
    )

    small = compile_plan(catalogue, "X", {"shop.area": 100}).material("RULES")

    assert small.items == ("A",)
    assert small.deficiency_allowed is True


# ---------------------------------------------------------------------------------------------
# Schedule: dependencies, parallel levels, longest path (并联审批)
# ---------------------------------------------------------------------------------------------


def _diamond_catalogue():
    """A(2) → B(5), A → C(3), B and C → D(4)."""
    return make_catalogue(
        items=[
            make_item("A", promised_days=2),
            make_item("B", promised_days=5),
            make_item("C", promised_days=3),
            make_item("D", promised_days=4),
        ],
        bundles=[
            make_bundle(
                "X",
                [
                    "A",
                    make_bundle_item("B", after=["A"]),
                    make_bundle_item("C", after=["A"]),
                    make_bundle_item("D", after=["B", "C"]),
                ],
            )
        ],
    )


def test_diamond_expected_days_is_the_longest_path():
    plan = compile_plan(_diamond_catalogue(), "X")

    assert plan.expected_days == 2 + 5 + 4
    assert plan.critical_path == ("A", "B", "D")
    assert [(i.code, i.earliest_start, i.earliest_finish) for i in plan.items] == [
        ("A", 0, 2),
        ("B", 2, 7),
        ("C", 2, 5),
        ("D", 7, 11),
    ]
    assert [i.code for i in plan.items if i.on_critical_path] == ["A", "B", "D"]


def test_diamond_levels_group_the_items_that_can_run_in_parallel():
    plan = compile_plan(_diamond_catalogue(), "X")

    assert plan.levels == (("A",), ("B", "C"), ("D",))
    assert plan.edges == (("A", "B"), ("A", "C"), ("B", "D"), ("C", "D"))
    assert plan.item("D").depends_on == ("B", "C")


def test_chain_expected_days_is_the_sum():
    catalogue = make_catalogue(
        items=[
            make_item(code, promised_days=days) for code, days in [("A", 1), ("B", 2), ("C", 3)]
        ],
        bundles=[
            make_bundle(
                "X",
                ["A", make_bundle_item("B", after=["A"]), make_bundle_item("C", after=["B"])],
            )
        ],
    )

    plan = compile_plan(catalogue, "X")

    assert plan.expected_days == 6
    assert plan.levels == (("A",), ("B",), ("C",))
    assert plan.critical_path == ("A", "B", "C")


def test_independent_items_run_in_one_level_and_take_the_longest():
    catalogue = make_catalogue(
        items=[
            make_item(code, promised_days=days) for code, days in [("A", 4), ("B", 9), ("C", 1)]
        ],
        bundles=[make_bundle("X", ["A", "B", "C"])],
    )

    plan = compile_plan(catalogue, "X")

    assert plan.levels == (("A", "B", "C"),)
    assert plan.expected_days == 9
    assert plan.critical_path == ("B",)
    assert plan.edges == ()


def test_missing_promised_days_count_as_zero():
    catalogue = make_catalogue(
        items=[make_item("A", promised_days=None), make_item("B", promised_days=3)],
        bundles=[make_bundle("X", ["A", make_bundle_item("B", after=["A"])])],
    )

    plan = compile_plan(catalogue, "X")

    assert plan.item("A").duration == 0
    assert plan.item("B").earliest_start == 0
    assert plan.expected_days == 3


def test_after_edges_to_items_not_chosen_are_dropped():
    catalogue = make_catalogue(
        items=[make_item("A", promised_days=5), make_item("B", promised_days=2)],
        bundles=[
            make_bundle(
                "X", [make_bundle_item("A", when="big == true"), make_bundle_item("B", after=["A"])]
            )
        ],
    )

    plan = compile_plan(catalogue, "X", {"big": False})

    assert plan.item_codes == ("B",)
    assert plan.item("B").depends_on == ()
    assert plan.levels == (("B",),)
    assert plan.expected_days == 2


def test_a_bundle_may_list_an_item_before_its_prerequisite():
    catalogue = make_catalogue(
        items=[make_item("A", promised_days=1), make_item("B", promised_days=2)],
        bundles=[make_bundle("X", [make_bundle_item("B", after=["A"]), "A"])],
    )

    plan = compile_plan(catalogue, "X")

    assert plan.item_codes == ("B", "A")
    assert plan.levels == (("A",), ("B",))
    assert plan.expected_days == 3


def test_a_cycle_in_after_is_reported_with_the_bundle_code():
    catalogue = make_catalogue(
        items=[make_item("A"), make_item("B")],
        bundles=[
            make_bundle(
                "X", [make_bundle_item("A", after=["B"]), make_bundle_item("B", after=["A"])]
            )
        ],
    )

    with pytest.raises(DependencyCycleError, match="X"):
        compile_plan(catalogue, "X")


# ---------------------------------------------------------------------------------------------
# Steps and visits, single items, unknown codes
# ---------------------------------------------------------------------------------------------


def test_plan_carries_the_bundle_steps_and_visits():
    catalogue = make_catalogue(
        items=[make_item("A", steps=5, visits=2)],
        bundles=[make_bundle("X", ["A"], steps=["申请", "受理", "审批", "办结"], visits=0)],
    )

    plan = compile_plan(catalogue, "X")

    assert plan.steps == ("申请", "受理", "审批", "办结")
    assert plan.visits == 0
    assert plan.kind == "bundle"


def test_item_plan_is_a_one_item_bundle_with_the_items_own_steps_and_visits():
    catalogue = make_catalogue(
        items=[make_item("A", fields=["f"], materials=["M"], promised_days=7, steps=5, visits=2)]
    )

    plan = compile_item_plan(catalogue, "A")

    assert plan.kind == "item"
    assert plan.item_codes == ("A",)
    assert (plan.steps, plan.visits, plan.expected_days) == (catalogue.items["A"].steps, 2, 7)
    assert (plan.reduction.steps.before, plan.reduction.steps.after) == (5, 5)
    assert plan.form.questions == ()


def test_item_plan_evaluates_material_conditions():
    catalogue = make_catalogue(
        items=[make_item("A", materials=["M", make_requirement("N", when="n > 1")])]
    )

    assert compile_item_plan(catalogue, "A", {"n": 0}).item("A").materials == ("M",)
    assert compile_item_plan(catalogue, "A", assume_all=True).item("A").materials == ("M", "N")


def test_unknown_bundle_code_raises_a_key_error_in_chinese_and_english():
    with pytest.raises(UnknownCodeError) as raised:
        compile_plan(make_catalogue(), "NOPE")

    assert isinstance(raised.value, KeyError)
    assert str(raised.value) == "未找到一件事编码 'NOPE' / unknown bundle code 'NOPE'"


def test_unknown_item_code_raises_a_key_error():
    with pytest.raises(KeyError, match="unknown item code 'NOPE'"):
        compile_item_plan(make_catalogue(), "NOPE")


def test_bundle_naming_an_undeclared_item_raises_a_key_error():
    catalogue = make_catalogue(bundles=[make_bundle("X", ["GHOST"])])

    with pytest.raises(UnknownCodeError, match="GHOST"):
        compile_plan(catalogue, "X")


# ---------------------------------------------------------------------------------------------
# Properties over random DAGs
# ---------------------------------------------------------------------------------------------


@st.composite
def dag_bundles(draw):
    """A catalogue with one bundle over a random DAG: each item may wait for items listed before."""
    count = draw(st.integers(min_value=0, max_value=8))
    durations = draw(st.lists(st.none() | st.integers(0, 30), min_size=count, max_size=count))
    codes = [f"I{n}" for n in range(count)]
    entries = [
        make_bundle_item(
            code, after=draw(st.lists(st.sampled_from(codes[:n]), unique=True)) if n else ()
        )
        for n, code in enumerate(codes)
    ]
    entries = draw(st.permutations(entries))
    catalogue = make_catalogue(
        items=[
            make_item(code, promised_days=days) for code, days in zip(codes, durations, strict=True)
        ],
        bundles=[make_bundle("X", entries)],
    )
    return catalogue


@settings(max_examples=150, deadline=None)
@given(dag_bundles())
def test_schedule_respects_every_dependency(catalogue):
    plan = compile_plan(catalogue, "X")
    finish = {item.code: item.earliest_finish for item in plan.items}

    for before, after in plan.edges:
        assert finish[before] <= plan.item(after).earliest_start
        assert plan.item(before).level < plan.item(after).level
    assert sorted(code for level in plan.levels for code in level) == sorted(plan.item_codes)
    assert plan.expected_days == sum(plan.item(code).duration for code in plan.critical_path)
    assert plan.expected_days == max(finish.values(), default=0)


@settings(max_examples=100, deadline=None)
@given(dag_bundles())
def test_critical_path_is_a_chain_of_dependencies(catalogue):
    plan = compile_plan(catalogue, "X")
    path = plan.critical_path

    for before, after in itertools.pairwise(path):
        assert before in plan.item(after).depends_on
    if path:
        assert plan.item(path[0]).depends_on == ()


def test_text_answers_are_read_as_their_question_type():
    """Answers from JSON or a query string arrive as text: "500" must compare as a number."""
    from banshi.catalog.compiler import coerce_answer

    assert coerce_answer("500", "number") == 500
    assert coerce_answer("12.5", "number") == Decimal("12.5")
    assert coerce_answer("2024-01-31", "date") == dt.date(2024, 1, 31)
    assert coerce_answer("是", "bool") is True
    assert coerce_answer("很大", "number") == "很大"
    assert coerce_answer(7, "number") == 7
