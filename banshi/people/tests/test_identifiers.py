"""Identifier checks (reference/standards.md §6): every test vector, the reasons, the properties."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from banshi.people.identifiers import (
    A36,
    ID_CHECK,
    USCC_CHARSET,
    IdentifierError,
    convert_legacy_id_number,
    id_check_character,
    licence_check_character,
    mask_id_number,
    mask_name,
    mask_phone,
    org_code_check_character,
    uscc_check_character,
    validate_id_number,
    validate_licence_identifier,
    validate_uscc,
)

TODAY = dt.date(2026, 11, 23)


def check_id(value: str):
    return validate_id_number(value, today=TODAY)


# ---- §6.1 公民身份号码: every vector -------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "birth", "sex"),
    [
        ("11010519491231002X", dt.date(1949, 12, 31), "female"),
        ("310115198506150022", dt.date(1985, 6, 15), "female"),
        ("44030419900307123X", dt.date(1990, 3, 7), "male"),
        ("110101200001010010", dt.date(2000, 1, 1), "male"),
    ],
)
def test_valid_id_number_vectors_give_birth_date_and_sex(value, birth, sex):
    checked = check_id(value)
    assert (checked.value, checked.birth_date, checked.sex) == (value, birth, sex)


def test_worked_example_sum_gives_check_x():
    assert id_check_character("11010519491231002") == "X"


def test_id_number_with_wrong_check_digit_is_refused_with_the_expected_character():
    with pytest.raises(IdentifierError) as caught:
        check_id("110105194912310021")
    assert caught.value.code == "check_digit"
    assert str(caught.value) == (
        "身份证号码校验位错误，应为 X / ID number check character is wrong: expected X"
    )


def test_id_number_with_impossible_date_is_refused_although_its_check_digit_is_right():
    assert id_check_character("11010519490231002") == "6"
    with pytest.raises(IdentifierError) as caught:
        check_id("110105194902310026")
    assert caught.value.code == "birth_date"
    assert "19490231" in str(caught.value)


def test_lower_case_x_is_normalised_and_stored_upper_case():
    assert check_id("11010519491231002x").value == "11010519491231002X"


def test_spaces_and_full_width_characters_are_normalised():
    assert check_id(" 110105 19491231 002Ｘ ").value == "11010519491231002X"
    assert check_id("１１０１０５１９４９１２３１００２Ｘ").value == "11010519491231002X"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "empty"),
        (None, "empty"),
        ("1101051949123100", "length"),
        ("11010519491231002X1", "length"),
        ("110105491231002", "legacy"),
        ("1101051949123100XX", "characters"),
        ("11010519491231002Y", "characters"),
        ("11010519491231002١", "characters"),  # an Arabic-Indic digit is not a digit here
        ("110105202612010015", "birth_date"),  # 2026-12-01: after TODAY
        ("110105180001010011", "birth_date"),  # before 1850
    ],
)
def test_id_number_refusals_carry_a_machine_code(value, code):
    with pytest.raises(IdentifierError) as caught:
        check_id(value)
    assert caught.value.code == code
    assert " / " in str(caught.value)  # Chinese / English


def test_birth_date_today_is_accepted():
    first17 = "110105" + TODAY.strftime("%Y%m%d") + "001"
    assert check_id(first17 + id_check_character(first17)).birth_date == TODAY


def test_identifier_error_is_a_value_error():
    assert issubclass(IdentifierError, ValueError)


def test_legacy_number_converts_to_a_valid_18_character_number():
    converted = convert_legacy_id_number("110105491231002")
    assert converted == "11010519491231002X"
    assert check_id(converted).birth_date == dt.date(1949, 12, 31)


# ---- §6.2 统一社会信用代码: every vector ----------------------------------------------------


def test_uscc_worked_example_one_is_valid_and_decoded():
    checked = validate_uscc("91350100M000100Y43")
    assert (checked.authority, checked.category) == ("工商", "企业")
    assert (checked.region_code, checked.org_code) == ("350100", "M000100Y4")
    assert checked.org_check_ok and checked.warnings == ()


def test_uscc_worked_example_two_has_check_w():
    assert uscc_check_character("11100000000013338") == "W"
    assert validate_uscc("11100000000013338W").category == "机关"


@pytest.mark.parametrize(
    "value",
    [
        "11430000006122244L",
        "113700000045046442",
        "11330105002500287C",
        "12441500196720244T",
        "11420503087246977F",
        "11110000000021135M",
        "91610800064834709T",
        "115113010833722043",
        "11511301008778183N",
    ],
)
def test_real_public_body_codes_pass_both_checks(value):
    checked = validate_uscc(value)
    assert checked.org_check_ok
    assert checked.warnings == ()


def test_uscc_with_wrong_check_character_is_refused_with_the_expected_character():
    with pytest.raises(IdentifierError) as caught:
        validate_uscc("91350100M000100Y42")
    assert caught.value.code == "check_digit"
    assert str(caught.value) == (
        "统一社会信用代码校验位错误，应为 3 / USCC check character is wrong: expected 3"
    )


def test_uscc_with_letter_i_is_refused_as_outside_the_charset():
    with pytest.raises(IdentifierError) as caught:
        validate_uscc("91350100M000100Y4I")
    assert caught.value.code == "characters"
    assert "I、O、Z、S、V" in str(caught.value)


def test_uscc_lower_case_is_normalised_to_upper_case():
    assert validate_uscc("91350100m000100Y43").value == "91350100M000100Y43"


@pytest.mark.parametrize(("value", "code"), [("", "empty"), ("91350100M000100Y4", "length")])
def test_uscc_refusals_carry_a_machine_code(value, code):
    with pytest.raises(IdentifierError) as caught:
        validate_uscc(value)
    assert caught.value.code == code


def test_bad_embedded_organisation_check_warns_but_does_not_refuse():
    first17 = "91350100M000100Y5"  # pos 17 should be 4
    checked = validate_uscc(first17 + uscc_check_character(first17))
    assert not checked.org_check_ok
    assert checked.warning_codes == ("org_check",)
    assert "4" in str(checked.warnings[0])


def test_unknown_authority_and_region_are_warnings():
    first17 = "B1ABCDEF" + "M000100Y4"
    checked = validate_uscc(first17 + uscc_check_character(first17))
    assert checked.authority is None
    assert set(checked.warning_codes) == {"authority", "region"}


def test_organisation_code_check_maps_10_to_x_and_11_to_0():
    assert org_code_check_character("M000100Y") == "4"
    values = {org_code_check_character(f"{n:08d}") for n in range(0, 200)}
    assert {"X", "0"} <= values


# ---- §6.3 电子证照标识 ------------------------------------------------------------------------

LICENCES = [
    "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U",
    "1.2.156.3005.2.11100000000013338W009.11330105002500287C.2025052201.002.0",
]


@pytest.mark.parametrize("value", LICENCES)
def test_verified_licence_identifiers_are_valid(value):
    checked = validate_licence_identifier(value)
    assert checked.check == value[-1]
    assert checked.defining_authority == "11100000000013338W"


def test_licence_check_character_works_with_or_without_dots_and_root():
    body = "11100000000013338W011.11430000006122244L.20230000403.001"
    assert licence_check_character(body) == "U"
    assert licence_check_character(body.replace(".", "")) == "U"
    assert licence_check_character("1.2.156.3005.2." + body) == "U"


def test_licence_identifier_with_wrong_check_is_refused():
    with pytest.raises(IdentifierError) as caught:
        validate_licence_identifier(LICENCES[0][:-1] + "M")
    assert caught.value.code == "check_digit"
    assert "应为 U" in str(caught.value)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("2.2.156.3005.2.11100000000013338W011.11430000006122244L.1.001.U", "structure"),
        ("1.2.156.3005.2.11100000000013338W011.11430000006122244L.001.U", "structure"),
        ("1.2.156.3005.2.11100000000013338W011.11430000006122244L.1.01.U", "structure"),
        ("1.2.156.3005.2.11100000000013338X011.11430000006122244L.1.001.U", "uscc"),
    ],
)
def test_licence_identifier_structure_errors(value, code):
    with pytest.raises(IdentifierError) as caught:
        validate_licence_identifier(value)
    assert caught.value.code == code


# ---- masking -------------------------------------------------------------------------------


def test_mask_id_number_keeps_first_and_last_four():
    assert mask_id_number("11010519491231002X") == "1101**********002X"


def test_mask_phone_keeps_first_three_and_last_four():
    assert mask_phone("13800000000") == "138****0000"
    assert mask_phone("+86 138-0000-1234") == "138****1234"
    assert mask_phone("") == ""


def test_mask_name_keeps_the_surname_character():
    assert mask_name("张三") == "张*"


# ---- properties ---------------------------------------------------------------------------

regions = st.text(alphabet="0123456789", min_size=6, max_size=6)
births = st.dates(min_value=dt.date(1850, 1, 1), max_value=TODAY)
sequences = st.text(alphabet="0123456789", min_size=3, max_size=3)


def _id(region: str, birth: dt.date, sequence: str) -> str:
    first17 = region + birth.strftime("%Y%m%d") + sequence
    return first17 + id_check_character(first17)


@given(regions, births, sequences)
def test_property_any_17_digits_with_a_real_birth_date_plus_computed_check_validate(
    region, birth, sequence
):
    # "Any 17 digits" narrowed to those whose positions 7–14 are a real, past date: the birth-date
    # rule refuses the others before the check digit is looked at.
    value = _id(region, birth, sequence)
    checked = check_id(value)
    assert checked.value == value and checked.birth_date == birth
    assert checked.is_male == (int(sequence[-1]) % 2 == 1)


@given(regions, births, sequences, st.integers(0, 17), st.sampled_from(list("0123456789X")))
@example("110105", dt.date(1949, 12, 31), "002", 17, "0")
def test_property_changing_any_single_character_of_an_id_number_invalidates_it(
    region, birth, sequence, position, replacement
):
    # MOD 11-2 catches every single substitution: each weight is non-zero mod 11 (a prime), so a
    # changed digit changes the sum mod 11. Exceptions none, except case: x -> X is normalisation.
    value = _id(region, birth, sequence)
    assume(value[position] != replacement)
    changed = value[:position] + replacement + value[position + 1 :]
    with pytest.raises(IdentifierError) as caught:
        check_id(changed)
    assert caught.value.code in {"characters", "birth_date", "check_digit"}


uscc_bodies = st.text(alphabet=USCC_CHARSET, min_size=17, max_size=17)


@given(uscc_bodies)
def test_property_any_17_charset_characters_plus_computed_check_validate(body):
    checked = validate_uscc(body + uscc_check_character(body))
    assert checked.value == body + uscc_check_character(body)


@given(uscc_bodies, st.integers(0, 17), st.sampled_from(list(USCC_CHARSET + "IOZSV")))
def test_property_changing_any_single_character_of_a_uscc_invalidates_it(
    body, position, replacement
):
    # MOD 31 with weights 3^i mod 31 (never 0 mod the prime 31): any single substitution inside the
    # charset changes the sum mod 31; I O Z S V are refused as characters. The one exception is
    # letter case: a lower-case letter is the same character after normalisation (tested above).
    value = body + uscc_check_character(body)
    assume(value[position] != replacement)
    changed = value[:position] + replacement + value[position + 1 :]
    with pytest.raises(IdentifierError) as caught:
        validate_uscc(changed)
    assert caught.value.code in {"characters", "check_digit"}


@given(
    st.text(alphabet=A36, min_size=1, max_size=60),
    st.data(),
)
def test_property_licence_check_catches_every_single_substitution(body, data):
    # ISO 7064 hybrid MOD 37,36 detects all single-character substitution errors.
    position = data.draw(st.integers(0, len(body) - 1))
    replacement = data.draw(st.sampled_from(A36).filter(lambda ch: ch != body[position]))
    changed = body[:position] + replacement + body[position + 1 :]
    assert licence_check_character(changed) != licence_check_character(body)


def test_check_tables_have_the_documented_shape():
    assert ID_CHECK == "10X98765432"
    assert len(USCC_CHARSET) == 31 and not set("IOZSV") & set(USCC_CHARSET)


def test_identifiers_module_is_pure_python_without_django():
    import subprocess
    import sys
    from pathlib import Path

    code = "import sys, banshi.people.identifiers; assert 'django' not in sys.modules"
    repository = Path(__file__).resolve().parents[3]
    subprocess.run([sys.executable, "-c", code], check=True, cwd=repository)


def test_name_masking_of_empty_is_empty():
    assert mask_name("") == ""
