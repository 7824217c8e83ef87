"""个人画像: values with their sources, the profile fill, and a department's person file."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from banshi.people.models import Person
from banshi.policies import services
from banshi.policies.attributes import SourceKind
from banshi.policies.models import (
    PersonPortrait,
    PersonPortraitChange,
    PersonValueSource,
    PortraitChange,
)
from banshi.policies.synthetic import fake_id_number

from .conftest import OTHER_ID, OWNER_ID


def test_a_persons_values_are_stored_with_their_source_and_queue_the_person(owner, departments):
    services.set_portrait_values(
        owner,
        {"person.employment_status": "灵活就业", "disability_level": "二级"},
        kind=SourceKind.DEPARTMENT,
        department=departments["ZWFW"],
        reference="就业登记",
    )
    portrait = PersonPortrait.objects.get(person=owner)
    assert (portrait.employment_status, portrait.disability_level) == ("灵活就业", "二级")
    source = PersonValueSource.objects.get(person=owner, attribute="person.disability_level")
    assert source.kind == SourceKind.DEPARTMENT and source.department.code == "ZWFW"
    assert PersonPortraitChange.objects.filter(person=owner).exists()
    assert not PortraitChange.objects.exists()  # the enterprise queue is untouched


def test_an_enterprise_attribute_cannot_be_set_on_a_person(owner):
    with pytest.raises(services.PolicyError) as error:
        services.set_portrait_values(owner, {"enterprise.revenue": 5})
    assert "未知属性 enterprise.revenue" in str(error.value)


def test_a_registered_person_has_a_portrait_from_the_id_number_at_once(owner):
    portrait = PersonPortrait.objects.get(person=owner)  # 44030419900307123X: 1990-03-07, male
    assert (portrait.birth_date, portrait.gender) == (dt.date(1990, 3, 7), "男")
    assert PersonValueSource.objects.get(person=owner, attribute="person.gender").kind == "profile"


def _csv(*lines: str) -> bytes:
    return "\n".join(lines).encode()


def test_a_person_file_imports_good_rows_and_reports_bad_ones(owner, outsider, departments):
    broken = OTHER_ID[:-1] + ("1" if OTHER_ID[-1] != "1" else "2")  # wrong check character
    record = services.import_portrait_file(
        _csv(
            "公民身份号码,就业状态,月收入",
            f"{OWNER_ID},灵活就业,4200",
            f"{broken},就业,3000",
            f"{OTHER_ID},打零工,3000",
        ),
        "rs.csv",
        department=departments["ZWFW"],
        subject_kind="person",
    )
    assert (record.rows_total, record.rows_imported, record.rows_rejected) == (3, 1, 2)
    assert [(e["row"], e["column"]) for e in record.errors] == [
        (3, "公民身份号码"),
        (4, "就业状态"),
    ]
    assert record.subject_kind == "person"
    portrait = PersonPortrait.objects.get(person=owner)
    assert portrait.monthly_income == Decimal("4200.00")
    assert portrait.birth_date == dt.date(1990, 3, 7)  # read from the ID number
    assert PersonPortrait.objects.get(person=outsider).employment_status is None  # bad row


def test_an_unknown_person_is_registered_when_the_file_names_them(departments):
    new_id = fake_id_number(41, dt.date(1940, 1, 2), male=False)
    record = services.import_portrait_file(
        _csv("身份证号码,姓名,户籍所在地", f"{new_id},赵芳,410173001"),
        "mz.csv",
        department=departments["ZWFW"],
        subject_kind="person",
    )
    assert record.enterprises_created == 1
    person = Person.objects.get(id_number=new_id)
    portrait = PersonPortrait.objects.get(person=person)
    assert (person.name, portrait.hukou_district, portrait.gender) == ("赵芳", "410173001", "女")


def test_an_unknown_person_without_a_name_is_rejected(departments):
    new_id = fake_id_number(42, dt.date(1950, 1, 2), male=True)
    record = services.import_portrait_file(
        _csv("公民身份号码,退役军人", f"{new_id},是"),
        "va.csv",
        department=departments["ZWFW"],
        subject_kind="person",
    )
    assert record.rows_rejected == 1 and "平台没有这个人" in record.errors[0]["zh"]


def test_a_person_file_without_an_id_number_column_is_refused_whole(departments):
    with pytest.raises(services.PolicyError) as error:
        services.import_portrait_file(
            _csv("统一社会信用代码,就业状态", "91350100M000100Y43,就业"),
            "x.csv",
            department=departments["ZWFW"],
            subject_kind="person",
        )
    assert "公民身份号码" in error.value.zh


def test_an_unknown_subject_kind_is_refused(departments):
    with pytest.raises(services.PolicyError) as error:
        services.import_portrait_file(
            b"a,b\n1,2\n", "x.csv", department=departments["ZWFW"], subject_kind="animal"
        )
    assert error.value.code == "subject_kind"
