"""Shared fixtures for the working-day calendar tests."""

from __future__ import annotations

import pytest

from banshi.workdays import core

# TEST DATA — a made-up notice for 2027, NOT the State Council's real one (not yet published when
# this was written). Its days are chosen so that results differ visibly from plain weekdays.
TEST_NOTICE_2027 = """\
# 测试数据 / TEST DATA: an invented 2027 notice, not the real State Council notice
year: 2027
title: 国务院办公厅关于2027年部分节假日安排的通知（测试数据）
document_number: 国办发明电〔2026〕X号
published_on: 2026-11-20
holidays:
  元旦: [2027-01-01, 2027-01-03]
  春节: [2027-02-06, 2027-02-13]
  国庆节: [2027-10-01, 2027-10-07]
workdays: [2027-02-14, 2027-02-20]
"""


@pytest.fixture(scope="session")
def calendar() -> core.WorkingCalendar:
    """The library-only calendar (chinesecalendar 2004–2026), built once."""
    return core.from_library()


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    """The calendar cache is per process; a rolled-back test must not leak into the next one."""
    from banshi.workdays import services

    services.reset_calendar_cache()
    yield
    services.reset_calendar_cache()
