"""Jalali days and Saturday-to-Friday weeks for digests."""

from __future__ import annotations

import datetime as dt

import pytest

from digest import jalali
from digest.errors import MailError
from digest.jalali import JDate
from digest.mail import period


def test_week_36_of_1403_is_26_aban_to_2_azar():
    # 1 Farvardin 1403 was Wednesday 2024-03-20, so week 1 began Saturday 2024-03-16.
    assert jalali.to_gregorian(period.week_one(1403)) == dt.date(2024, 3, 16)
    assert period.week_start(1403, 36) == JDate(1403, 8, 26)
    assert period.week_of(JDate(1403, 9, 2)) == (1403, 36)


@pytest.mark.parametrize("year", range(1395, 1411))
def test_weeks_tile_the_years(year):
    start = period.week_one(year)
    assert jalali.weekday(start) == 0
    assert 0 <= (jalali.to_gregorian(JDate(year, 1, 1)) - jalali.to_gregorian(start)).days < 7
    n = period.weeks_in_year(year)
    assert n in (52, 53)
    assert jalali.add_days(period.week_start(year, n), 7) == period.week_one(year + 1)


def test_week_of_inverts_week_start_for_every_day():
    day = JDate(1402, 1, 1)
    while day < JDate(1405, 1, 1):
        year, n = period.week_of(day)
        start = period.week_start(year, n)
        assert 0 <= (jalali.to_gregorian(day) - jalali.to_gregorian(start)).days < 7
        day = jalali.add_days(day, 1)


def test_last_days_of_esfand_can_belong_to_week_1():
    assert period.week_of(JDate(1403, 12, 30)) == (1404, 1)


@pytest.mark.parametrize("text,expected", [("1403-09-02", JDate(1403, 9, 2)), ("۱۴۰۳-۰۹-۰۲", JDate(1403, 9, 2)),
                                           ("1403/9/2", JDate(1403, 9, 2))])
def test_parse_day(text, expected):
    assert period.parse_day(text) == expected


@pytest.mark.parametrize("text", ["1403-07-31", "1403-13-01", "yesterday", "1404-12-30"])
def test_parse_day_refuses(text):
    with pytest.raises(MailError, match="--date"):
        period.parse_day(text)


def test_parse_week():
    assert period.parse_week("۱۴۰۳-W۳۶") == (1403, 36)
    assert period.parse_week("1403-w1") == (1403, 1)
    with pytest.raises(MailError, match="weeks 1 to 52"):
        period.parse_week("1403-W53")
    with pytest.raises(MailError, match="1403-W36"):
        period.parse_week("1403-36")
