"""The reduction report (DESIGN §4 "Reduction report conventions (contract)").

The hand-computed example's expected numbers are worked out in the comments next to each assertion,
from the catalogue in :func:`_restaurant_catalogue` — not from the code under test.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from banshi.catalog.compiler import compile_plan
from banshi.catalog.report import (
    TARGET_DAYS_REDUCTION,
    TARGET_MATERIALS_REDUCTION,
    TARGET_NO_TYPING_RATE,
    TARGET_STEPS_REDUCTION,
    entry_from_plan,
    meets_targets,
    reduction,
    render_markdown,
    render_table,
    report,
)
from banshi.catalog.schema import Bundle
from banshi.catalog.tests.factories import (
    make_bundle,
    make_bundle_item,
    make_catalogue,
    make_data_element,
    make_item,
    make_material,
    make_requirement,
)

# ---------------------------------------------------------------------------------------------
# The hand-computed example: 开办餐饮店
# ---------------------------------------------------------------------------------------------


def _restaurant_catalogue():
    """DJ(3 days) issues YYZZ; XK(10) and XF(7, only above 300 m²) wait for DJ; ZP(no promise).

    fields:     DJ  enterprise.name* person.id_number* shop.address               (3)
                XK  enterprise.name* person.id_number* shop.area shop.address     (4)
                XF  enterprise.name* shop.area staff.count                         (3)
                ZP  enterprise.name* shop.address                                  (2)   * = prefill
    materials:  DJ  LEASE HUKOU(data share)                                        (2)
                XK  LEASE YYZZ-COPY(licence) FOOD-RULES LAYOUT FIRE-PLAN(>300 m²)  (5)
                XF  YYZZ-COPY FIRE-PLAN                                            (2)
                ZP  LEASE LAYOUT                                                   (2)
    steps 5/5/4/3, visits 2/1/2/1; bundle: 4 steps, 0 visits.
    """
    return make_catalogue(
        data_elements=[
            make_data_element("enterprise.name", prefill="enterprise.name"),
            make_data_element("person.id_number", prefill="person.id_number"),
            make_data_element("shop.area", type="number"),
            make_data_element("shop.address"),
            make_data_element("staff.count", type="number"),
        ],
        materials=[
            make_material("LEASE"),
            make_material("HUKOU", data_share="人口库"),
            make_material("YYZZ-COPY", licence_type="YYZZ"),
            make_material("FOOD-RULES"),
            make_material("LAYOUT"),
            make_material("FIRE-PLAN"),
        ],
        items=[
            make_item(
                "DJ",
                fields=["enterprise.name", "person.id_number", "shop.address"],
                materials=["LEASE", "HUKOU"],
                promised_days=3,
                steps=5,
                visits=2,
                produces="YYZZ",
            ),
            make_item(
                "XK",
                fields=["enterprise.name", "person.id_number", "shop.area", "shop.address"],
                materials=[
                    "LEASE",
                    "YYZZ-COPY",
                    "FOOD-RULES",
                    "LAYOUT",
                    make_requirement("FIRE-PLAN", when="shop.area > 300"),
                ],
                promised_days=10,
                steps=5,
                visits=1,
            ),
            make_item(
                "XF",
                fields=["enterprise.name", "shop.area", "staff.count"],
                materials=["YYZZ-COPY", "FIRE-PLAN"],
                promised_days=7,
                steps=4,
                visits=2,
            ),
            make_item(
                "ZP",
                fields=["enterprise.name", "shop.address"],
                materials=["LEASE", "LAYOUT"],
                promised_days=None,
                steps=3,
                visits=1,
            ),
        ],
        bundles=[
            make_bundle(
                "KBCYD",
                [
                    "DJ",
                    make_bundle_item("XK", after=["DJ"]),
                    make_bundle_item("XF", after=["DJ"], when="shop.area > 300"),
                    "ZP",
                ],
                steps=["申请", "受理", "审批", "办结"],
                visits=0,
                name="开办餐饮店一件事",
            ),
            make_bundle("EMPTY", [], name="空"),
        ],
    )


def test_report_entry_has_exactly_the_contract_keys():
    entry = reduction(_restaurant_catalogue(), "KBCYD")

    assert list(entry) == [
        "code",
        "name",
        "items",
        "fields",
        "materials",
        "days",
        "steps",
        "visits",
    ]
    assert set(entry["fields"]) == {"before", "after", "prefilled", "no_typing_rate", "reduction"}
    for key in ("materials", "days", "steps", "visits"):
        assert set(entry[key]) == {"before", "after", "reduction"}
    json.dumps(entry)  # plain JSON types only


def test_without_answers_every_condition_counts_and_figures_match_the_hand_count():
    entry = reduction(_restaurant_catalogue(), "KBCYD")

    assert entry["code"] == "KBCYD"
    assert entry["name"] == "开办餐饮店一件事"
    assert entry["items"] == ["DJ", "XK", "XF", "ZP"]
    # fields: before 3+4+3+2 = 12; after = 5 distinct (enterprise.name, person.id_number,
    # shop.address, shop.area, staff.count); prefilled = 2; no typing = 1 − (5−2)/12 = 0.75
    assert entry["fields"] == {
        "before": 12,
        "after": 5,
        "prefilled": 2,
        "no_typing_rate": pytest.approx(0.75),
        "reduction": pytest.approx(7 / 12),
    }
    # materials: before 2+5+2+2 = 11; distinct 6, minus HUKOU (data share) and YYZZ-COPY (licence) = 4
    assert entry["materials"] == {"before": 11, "after": 4, "reduction": pytest.approx(7 / 11)}
    # days: before 3+10+7+0 = 20; longest path DJ→XK = 13
    assert entry["days"] == {"before": 20, "after": 13, "reduction": pytest.approx(0.35)}
    # steps: 5+5+4+3 = 17 → 4; visits: 2+1+2+1 = 6 → 0
    assert entry["steps"] == {"before": 17, "after": 4, "reduction": pytest.approx(13 / 17)}
    assert entry["visits"] == {"before": 6, "after": 0, "reduction": 1.0}


def test_with_answers_conditions_are_evaluated_and_figures_match_the_hand_count():
    entry = reduction(_restaurant_catalogue(), "KBCYD", {"shop.area": 120})

    assert entry["items"] == ["DJ", "XK", "ZP"]  # XF needs > 300 m²
    # fields: 3+4+2 = 9 → 4 distinct (no staff.count), 2 prefilled: 1 − 2/9
    assert entry["fields"] == {
        "before": 9,
        "after": 4,
        "prefilled": 2,
        "no_typing_rate": pytest.approx(7 / 9),
        "reduction": pytest.approx(5 / 9),
    }
    # materials: 2 + 4 (no FIRE-PLAN) + 2 = 8; to upload: LEASE, FOOD-RULES, LAYOUT = 3
    assert entry["materials"] == {"before": 8, "after": 3, "reduction": pytest.approx(5 / 8)}
    # days: 3+10+0 = 13; longest path DJ→XK = 13: no saving
    assert entry["days"] == {"before": 13, "after": 13, "reduction": 0.0}
    assert entry["steps"] == {"before": 13, "after": 4, "reduction": pytest.approx(9 / 13)}
    assert entry["visits"] == {"before": 4, "after": 0, "reduction": 1.0}


def test_empty_answers_are_evaluated_not_assumed():
    assert reduction(_restaurant_catalogue(), "KBCYD", {})["items"] == ["DJ", "XK", "ZP"]


def test_nothing_before_gives_reduction_zero():
    entry = reduction(_restaurant_catalogue(), "EMPTY")

    assert entry["items"] == []
    assert entry["fields"]["no_typing_rate"] == 0.0
    for key in ("fields", "materials", "days", "steps", "visits"):
        assert entry[key]["before"] == 0
        assert entry[key]["reduction"] == 0.0


def test_more_after_than_before_is_a_negative_reduction():
    catalogue = make_catalogue(
        items=[make_item("A", steps=2)], bundles=[make_bundle("X", ["A"], steps=4)]
    )

    assert reduction(catalogue, "X")["steps"]["reduction"] == -1.0


def test_report_numbers_are_the_plans_numbers():
    catalogue = _restaurant_catalogue()
    plan = compile_plan(catalogue, "KBCYD", assume_all=True)

    assert reduction(catalogue, "KBCYD") == entry_from_plan(plan)
    assert entry_from_plan(plan)["days"]["after"] == plan.expected_days


def test_report_lists_every_bundle_in_catalogue_order_by_default():
    catalogue = _restaurant_catalogue()

    assert [entry["code"] for entry in report(catalogue)["bundles"]] == ["KBCYD", "EMPTY"]
    assert [entry["code"] for entry in report(catalogue, ["EMPTY"])["bundles"]] == ["EMPTY"]


def test_report_passes_answers_to_every_bundle():
    bundles = report(_restaurant_catalogue(), ["KBCYD"], {"shop.area": 500})["bundles"]

    assert bundles[0]["items"] == ["DJ", "XK", "XF", "ZP"]


def test_report_of_an_unknown_bundle_raises_a_key_error():
    with pytest.raises(KeyError, match="NOPE"):
        report(_restaurant_catalogue(), ["NOPE"])


# ---------------------------------------------------------------------------------------------
# Targets and rendering
# ---------------------------------------------------------------------------------------------


def test_targets_are_the_published_ones():
    assert (
        TARGET_NO_TYPING_RATE,
        TARGET_MATERIALS_REDUCTION,
        TARGET_DAYS_REDUCTION,
        TARGET_STEPS_REDUCTION,
    ) == (0.50, 0.60, 0.70, 0.80)


def test_meets_targets_per_figure():
    entry = reduction(_restaurant_catalogue(), "KBCYD")

    # no typing 0.75 ≥ 0.5; materials 7/11 ≈ 0.64 ≥ 0.6; days 0.35 < 0.7; steps 13/17 ≈ 0.76 < 0.8
    assert meets_targets(entry) == {
        "fields": True,
        "materials": True,
        "days": False,
        "steps": False,
    }


def test_a_figure_exactly_on_the_target_meets_it():
    catalogue = make_catalogue(
        items=[
            make_item(
                "A",
                steps=10,
                fields=["f1", "f2"],
                materials=["M1", "M2", "M3", "M4", "M5"],
                promised_days=10,
            )
        ],
        bundles=[make_bundle("X", ["A"], steps=2)],
    )
    entry = reduction(catalogue, "X")
    entry["fields"]["no_typing_rate"] = 0.5
    entry["materials"]["reduction"] = 1 - 4 / 10
    entry["days"]["reduction"] = 1 - 3 / 10

    # steps 1 − 2/10 = 0.8 exactly (as far as floats go)
    assert meets_targets(entry) == {"fields": True, "materials": True, "days": True, "steps": True}


def test_render_table_shows_one_row_per_bundle_and_the_summary():
    text = render_table(report(_restaurant_catalogue()))
    lines = text.splitlines()

    assert lines[0].split()[:2] == ["code", "name"]
    kbcyd = next(line for line in lines if line.startswith("KBCYD"))
    assert "开办餐饮店一件事" in kbcyd
    assert "75.0%" in kbcyd
    assert "11→4 (−63.6%)" in kbcyd
    assert "20→13 (−35.0%)" in kbcyd
    assert "17→4 (−76.5%)" in kbcyd
    assert "6→0 (−100.0%)" in kbcyd
    assert kbcyd.split()[-4:] == ["✓", "✓", "✗", "✗"]
    assert lines[-1] == "meets targets (达标): fields 1/2, materials 1/2, days 0/2, steps 0/2"


def test_render_table_marks_no_change_rises_and_nothing_before():
    catalogue = make_catalogue(
        items=[make_item("A", steps=2, promised_days=5, visits=1)],
        bundles=[make_bundle("X", ["A"], steps=3, visits=1), make_bundle("E", [], steps=2)],
    )

    lines = render_table(report(catalogue)).splitlines()
    x_row = next(line for line in lines if line.startswith("X "))
    e_row = next(line for line in lines if line.startswith("E "))

    assert "5→5 (0.0%)" in x_row  # days: one item, no saving
    assert "2→3 (+50.0%)" in x_row  # steps: the bundle has more
    assert "0→2 (—)" in e_row  # nothing before: no percentage to speak of


def test_render_table_aligns_chinese_names_by_display_width():
    lines = render_table(report(_restaurant_catalogue())).splitlines()
    kbcyd = next(line for line in lines if line.startswith("KBCYD"))
    empty = next(line for line in lines if line.startswith("EMPTY"))

    # the (right-aligned) column after the name ends at the same display column on both rows
    def display_end(line: str, text: str) -> int:
        prefix = line[: line.index(text) + len(text)]
        return sum(2 if "\u4e00" <= char <= "\u9fff" else 1 for char in prefix)

    assert display_end(kbcyd, "75.0%") == display_end(empty, "0.0%")


def test_render_markdown_is_a_table_with_the_same_rows():
    text = render_markdown(report(_restaurant_catalogue()))
    lines = text.splitlines()

    assert lines[0].startswith("| code | name |")
    assert set(lines[1].replace("|", "").split()) <= {":---", "---:", ":---:"}
    assert lines[2].startswith("| KBCYD | 开办餐饮店一件事 | 75.0% | 11→4 (−63.6%) |")
    assert lines[2].endswith("| ✓ | ✓ | ✗ | ✗ |")
    assert lines[-1].startswith("meets targets")


def test_render_markdown_escapes_pipes_in_names():
    catalogue = make_catalogue(bundles=[make_bundle("X", [], name="a|b")])

    assert "| a\\|b |" in render_markdown(report(catalogue))


# ---------------------------------------------------------------------------------------------
# Properties over random catalogues and bundles
# ---------------------------------------------------------------------------------------------

_FIELDS = [f"f{n}" for n in range(8)]
_MATERIALS = [f"m{n}" for n in range(8)]
_CONDITIONS = st.none() | st.integers(0, 10).map(lambda k: f"x > {k}")


@st.composite
def _requirements(draw):
    codes = draw(st.lists(st.sampled_from(_MATERIALS), unique=True, max_size=5))
    return [
        make_requirement(
            code,
            when=draw(_CONDITIONS),
            deficiency_allowed=draw(st.booleans()),
            commitment_allowed=draw(st.booleans()),
        )
        for code in codes
    ]


@st.composite
def _items(draw, code):
    return make_item(
        code,
        fields=draw(st.lists(st.sampled_from(_FIELDS), unique=True, max_size=6)),
        materials=draw(_requirements()),
        promised_days=draw(st.none() | st.integers(0, 30)),
        steps=draw(st.integers(0, 6)),
        visits=draw(st.integers(0, 3)),
    )


@st.composite
def catalogues(draw, max_items=7):
    """A random catalogue with bundle X over a random DAG of items, plus one spare item NEW."""
    count = draw(st.integers(0, max_items))
    codes = [f"I{n}" for n in range(count)]
    entries = [
        make_bundle_item(
            code,
            after=draw(st.lists(st.sampled_from(codes[:n]), unique=True)) if n else (),
            when=draw(_CONDITIONS),
        )
        for n, code in enumerate(codes)
    ]
    return make_catalogue(
        data_elements=[
            make_data_element(code, prefill=draw(st.sampled_from([None, code]))) for code in _FIELDS
        ],
        materials=[
            make_material(
                code,
                licence_type=draw(st.sampled_from([None, "L1", "L2"])),
                data_share=draw(st.sampled_from([None, "人口库"])),
            )
            for code in _MATERIALS
        ],
        items=[draw(_items(code)) for code in [*codes, "NEW"]],
        bundles=[
            make_bundle(
                "X",
                draw(st.permutations(entries)),
                steps=draw(st.integers(0, 8)),
                visits=draw(st.integers(0, 2)),
            )
        ],
    )


_ANSWERS = st.none() | st.fixed_dictionaries({}, optional={"x": st.integers(0, 10)})


@settings(max_examples=200, deadline=None)
@given(catalogues(), _ANSWERS)
def test_after_never_exceeds_before_for_fields_materials_and_days(catalogue, answers):
    entry = reduction(catalogue, "X", answers)

    for key in ("fields", "materials", "days"):
        assert 0 <= entry[key]["after"] <= entry[key]["before"]
    assert entry["fields"]["prefilled"] <= entry["fields"]["after"]


@settings(max_examples=200, deadline=None)
@given(catalogues(), _ANSWERS)
def test_reductions_lie_in_zero_to_one_when_after_does_not_exceed_before(catalogue, answers):
    entry = reduction(catalogue, "X", answers)

    for key in ("fields", "materials", "days", "steps", "visits"):
        if entry[key]["after"] <= entry[key]["before"]:
            assert 0.0 <= entry[key]["reduction"] <= 1.0
    assert 0.0 <= entry["fields"]["no_typing_rate"] <= 1.0


@settings(max_examples=200, deadline=None)
@given(catalogues(), _ANSWERS, st.data())
def test_adding_an_item_never_lowers_any_before(catalogue, answers, data):
    bundle = catalogue.bundles["X"]
    existing = [entry.item for entry in bundle.items]
    added = make_bundle_item(
        "NEW",
        after=data.draw(st.lists(st.sampled_from(existing), unique=True)) if existing else (),
        when=data.draw(_CONDITIONS),
    )
    position = data.draw(st.integers(0, len(bundle.items)))
    entries = [*bundle.items[:position], added, *bundle.items[position:]]
    before = reduction(catalogue, "X", answers)
    catalogue.bundles["X"] = Bundle(
        code="X", name="X", department=bundle.department, items=tuple(entries), steps=bundle.steps
    )

    grown = reduction(catalogue, "X", answers)

    for key in ("fields", "materials", "days", "steps", "visits"):
        assert grown[key]["before"] >= before[key]["before"]


@settings(max_examples=200, deadline=None)
@given(catalogues(), _ANSWERS)
def test_expected_days_lie_between_the_longest_item_and_the_sum(catalogue, answers):
    entry = reduction(catalogue, "X", answers)
    longest_item = max(
        (catalogue.items[code].promised_days or 0 for code in entry["items"]), default=0
    )

    assert longest_item <= entry["days"]["after"] <= entry["days"]["before"]


@settings(max_examples=100, deadline=None)
@given(catalogues(), _ANSWERS, st.fixed_dictionaries({}, optional={"f1": st.text(max_size=3)}))
def test_a_bundles_plan_is_deterministic(catalogue, answers, profile):
    first = compile_plan(catalogue, "X", answers, profile, assume_all=answers is None)
    second = compile_plan(catalogue, "X", answers, profile, assume_all=answers is None)

    assert first == second
    assert reduction(catalogue, "X", answers) == reduction(catalogue, "X", answers)
