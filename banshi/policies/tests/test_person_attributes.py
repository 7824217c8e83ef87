"""Person attributes in the registry and conditions checked against a policy's subject kind."""

from __future__ import annotations

import pytest

from banshi.policies import attributes, conditions
from banshi.policies.attributes import SubjectKind, ValueProblem, parse_value, registry
from banshi.policies.models import PersonPortrait

FIELD_TYPES = {
    "DateField": "date",
    "CharField": "string",
    "BooleanField": "bool",
    "IntegerField": "number",
    "DecimalField": "number",
}


def test_every_person_attribute_is_a_typed_column_of_the_person_portrait():
    for attribute in attributes.PERSON_ATTRIBUTES:
        field = PersonPortrait._meta.get_field(attribute.column)
        assert FIELD_TYPES[field.get_internal_type()] == attribute.type, attribute.code
        assert field.null and field.db_index, attribute.code
    columns = {f.name for f in PersonPortrait._meta.fields} - {"person", "updated_at"}
    assert columns == {a.column for a in attributes.PERSON_ATTRIBUTES}


def test_each_attribute_names_its_subject_kind_and_its_code_says_the_same():
    for kind, reg in attributes.REGISTRIES.items():
        for attribute in reg.attributes:
            assert attribute.subject == kind and attribute.code.startswith(f"{kind}.")


def test_a_label_is_looked_up_among_the_attributes_of_the_kind_asked_for():
    assert attributes.lookup("残疾等级", SubjectKind.PERSON).code == "person.disability_level"
    assert attributes.lookup("残疾等级") is None  # not an enterprise attribute


def test_a_coded_person_value_must_be_one_of_its_choices():
    level = registry(SubjectKind.PERSON).by_code["person.disability_level"]
    assert parse_value(level, "二级") == "二级"
    with pytest.raises(ValueProblem) as problem:
        parse_value(level, "2级")
    assert "一级" in problem.value.zh and "allowed" in problem.value.en


def test_a_person_policy_may_write_an_age_as_a_birth_date_against_years_ago():
    result = conditions.check(
        [("年满80周岁", "person.birth_date <= years_ago(80)")], SubjectKind.PERSON
    )
    assert result.ok, result.problems


def test_an_enterprise_attribute_in_a_person_policy_is_refused_and_underlined():
    result = conditions.check(
        [("高龄", "person.birth_date <= years_ago(80) and enterprise.revenue > 5")],
        SubjectKind.PERSON,
    )
    (problem,) = result.problems
    assert "「enterprise.revenue」是企业属性，不能用于个人政策" in problem.zh
    assert "belongs to the enterprise portrait" in problem.en and "person policy" in problem.en
    assert "^^^^^^^^^^^^^^^^^^" in problem.message


def test_a_person_attribute_in_an_enterprise_policy_is_refused():
    result = conditions.check([("残疾", "person.disability_level == '一级'")])
    (problem,) = result.problems
    assert "是个人属性" in problem.zh and "belongs to the person portrait" in problem.en


def test_a_benefit_formula_reads_the_attributes_of_the_policy_kind():
    with pytest.raises(conditions.ConditionError):
        conditions.check_benefit_expression("enterprise.employees * 10", SubjectKind.PERSON)
    assert conditions.check_benefit_expression("person.children * 1000", SubjectKind.PERSON)
