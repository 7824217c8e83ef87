"""``banshi workdays`` CLI contract (DESIGN §4): bare values on stdout, warnings on stderr."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from banshi.workdays.tests.conftest import TEST_NOTICE_2027

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("workdays", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_add_prints_only_the_iso_date_第82条():
    assert run("add", "2026-09-28", "10") == ("2026-10-16\n", "")


def test_add_does_not_count_the_given_date():
    assert run("add", "2026-09-30", "1") == ("2026-10-08\n", "")


def test_add_accepts_a_negative_count():
    assert run("add", "2026-10-08", "-1") == ("2026-09-30\n", "")


def test_between_prints_only_the_integer():
    assert run("between", "2026-09-30", "2026-10-09") == ("2\n", "")
    assert run("between", "2026-10-09", "2026-09-30") == ("-2\n", "")


def test_provisional_result_keeps_stdout_bare_and_warns_on_stderr():
    out, err = run("add", "2026-12-20", "20")
    assert out == "2027-01-15\n"
    assert "提示：2027 年尚无国务院放假安排数据，按周一至周五推算" in err
    assert "provisional: no official holiday data for 2027, computed on weekdays" in err


def test_between_through_a_year_without_data_warns():
    out, err = run("between", "2026-12-01", "2028-01-05")
    assert out.strip().isdigit()
    assert "2027、2028 年" in err and "2027, 2028" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("add", "2026-02-30", "3"), "invalid date '2026-02-30'"),
        (("add", "26-1-1", "3"), "expected YYYY-MM-DD"),
        (("add", "2200-01-01", "3"), "outside the working-day calendar range"),
        (("between", "2026-01-01", "nonsense"), "invalid date"),
    ],
)
def test_bad_dates_are_a_command_error_with_non_zero_exit(args, message):
    with pytest.raises(CommandError, match=message) as caught:
        run(*args)
    assert caught.value.returncode != 0


def test_import_then_years_lists_the_admin_year(tmp_path):
    path = tmp_path / "2027.yaml"
    path.write_text(TEST_NOTICE_2027, encoding="utf-8")
    out, _ = run("import", str(path))
    assert "2027" in out and "created" in out
    out, _ = run("import", str(path))
    assert "unchanged" in out
    years = run("years")[0].splitlines()
    assert years[0].startswith("2004  library")
    assert any(line.startswith("2026  library") for line in years)
    assert any(line.startswith("2027  admin") and "国办发明电〔2026〕X号" in line for line in years)
    assert run("add", "2026-12-20", "20") == ("2027-01-18\n", "")


def test_import_of_a_bad_file_is_a_command_error(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("year: 2027\ntitle: t\nworkdays: [2027-02-15]\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"bad\.yaml:3: .*Monday"):
        run("import", str(path))


def test_import_of_a_missing_file_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="cannot read file"):
        run("import", str(tmp_path / "missing.yaml"))
