"""Jalali dates: conversion, leap years, parsing in every accepted spelling, formatting."""

from __future__ import annotations

import datetime as dt

import pytest

from digest import jalali
from digest.jalali import JDate


@pytest.mark.parametrize("greg, jal", [
    (dt.date(2024, 11, 22), JDate(1403, 9, 2)),
    (dt.date(2025, 3, 20), JDate(1403, 12, 30)),   # 1403 is a leap year
    (dt.date(2025, 3, 21), JDate(1404, 1, 1)),     # Nowruz 1404
    (dt.date(2020, 3, 20), JDate(1399, 1, 1)),     # Nowruz 1399 (1398 was not leap)
    (dt.date(2021, 3, 20), JDate(1399, 12, 30)),   # 1399 is a leap year
])
def test_conversion_both_ways(greg, jal):
    assert jalali.from_gregorian(greg) == jal
    assert jalali.to_gregorian(jal) == greg


@pytest.mark.parametrize("year, leap", [(1399, True), (1403, True), (1408, True), (1404, False), (1407, False)])
def test_leap_years(year, leap):
    assert jalali.is_leap(year) is leap
    assert jalali.days_in_month(year, 12) == (30 if leap else 29)


def test_weekday_starts_on_saturday():
    # 2024-11-23 was a Saturday.
    assert jalali.weekday(JDate(1403, 9, 3)) == 0
    assert jalali.WEEKDAYS[jalali.weekday(JDate(1403, 9, 2))] == "جمعه"


def test_month_weeks_are_saturday_first_and_complete():
    weeks = jalali.month_weeks(1403, 9)
    assert all(len(w) == 7 for w in weeks)
    days = [d for w in weeks for d in w if d]
    assert days[0] == JDate(1403, 9, 1) and days[-1] == JDate(1403, 9, 30)
    # 1 Azar 1403 (2024-11-21) was a Thursday: five empty cells before it.
    assert weeks[0][:5] == [None] * 5


TEHRAN_OFFSET = dt.timedelta(hours=3, minutes=30)


@pytest.mark.parametrize("text, iso, has_time", [
    ("2024-11-22", "2024-11-22T00:00:00+03:30", False),
    ("2024-11-22T19:45", "2024-11-22T19:45:00+03:30", True),
    ("2024-11-22 19:45:10", "2024-11-22T19:45:10+03:30", True),
    ("2024-11-22T16:15:00Z", "2024-11-22T19:45:00+03:30", True),
    ("2024-11-22T19:45+0330", "2024-11-22T19:45:00+03:30", True),
    ("1403-09-02", "2024-11-22T00:00:00+03:30", False),
    ("1403/09/02 19:45", "2024-11-22T19:45:00+03:30", True),
    ("۱۴۰۳/۰۹/۰۲", "2024-11-22T00:00:00+03:30", False),
    ("١٤٠٣-٠٩-٠٢", "2024-11-22T00:00:00+03:30", False),
    ("۲ آذر ۱۴۰۳", "2024-11-22T00:00:00+03:30", False),
    ("2 آذر 1403 19:45", "2024-11-22T19:45:00+03:30", True),
    ("۱۱ دی ماه ۱۴۰۲", "2024-01-01T00:00:00+03:30", False),
    # Summer before 2023: Iran still kept daylight-saving time (+04:30).
    ("2022-07-01T12:00", "2022-07-01T12:00:00+04:30", True),
    ("1401/04/10 12:00", "2022-07-01T12:00:00+04:30", True),
])
def test_parse_accepted_forms(text, iso, has_time):
    moment, timed = jalali.parse(text)
    assert moment.isoformat() == iso
    assert timed is has_time


@pytest.mark.parametrize("text, words", [
    ("2024-02-30", "does not exist"),
    ("1403-07-31", "30 days"),
    ("1404-12-30", "29 days"),
    ("1403-13-01", "month 13"),
    ("2024-11-22T25:00", "time of day"),
    ("۳۱ آبانک ۱۴۰۳", "not a Jalali month"),
    ("yesterday", "is not a date"),
    ("", "empty"),
])
def test_parse_refuses_impossible_dates(text, words):
    with pytest.raises(ValueError, match=words):
        jalali.parse(text)


def test_format_uses_persian_digits_and_names():
    assert jalali.format_day(JDate(1403, 9, 2)) == "جمعه ۲ آذر ۱۴۰۳"
    assert jalali.format_day(JDate(1404, 1, 1), weekday_name=False) == "۱ فروردین ۱۴۰۴"
    assert jalali.format_month(1403, 12) == "اسفند ۱۴۰۳"
    assert jalali.format_time(dt.datetime(2024, 1, 1, 9, 5)) == "۰۹:۰۵"


def test_machine_values_stay_latin():
    assert JDate(1403, 9, 2).path == "1403/09/02"
    assert JDate(1403, 9, 2).iso() == "2024-11-22"
