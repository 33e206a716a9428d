"""Filters: remembered answers equal the plain functions', per object where equal values print differently."""

from __future__ import annotations

from digest.filters import isolate_latin


def filters_env(tmp_path):
    """Return a fresh environment for a bare site folder."""
    from digest.config import load
    from digest.render import environment

    (tmp_path / "digest.toml").write_text('title = "آزمایش"\n', encoding="utf-8")
    return environment(load(tmp_path))


def test_one_instant_in_two_zones_keeps_each_zone_s_iso_and_time(tmp_path):
    # The time and iso filters remember their answer per object, never per equal value:
    # these two are equal (one instant) but print differently.
    import datetime as dt
    from zoneinfo import ZoneInfo

    tehran = dt.datetime(2024, 11, 22, 19, 45, tzinfo=ZoneInfo("Asia/Tehran"))
    utc = tehran.astimezone(dt.timezone.utc)
    assert tehran == utc
    page = filters_env(tmp_path).from_string("{{ a|iso }} {{ b|iso }} {{ a|time }} {{ b|time }} {{ a|iso }}")
    assert page.render(a=tehran, b=utc) == (
        "2024-11-22T19:45:00+03:30 2024-11-22T16:15:00+00:00 ۱۹:۴۵ ۱۶:۱۵ 2024-11-22T19:45:00+03:30")


def test_remembered_filters_give_what_the_plain_functions_give(tmp_path):
    from digest import jalali
    from digest.persian import to_persian_digits

    env = filters_env(tmp_path)
    day = jalali.JDate(1403, 9, 2)
    page = env.from_string("{{ d|jday }}|{{ d|jday(false) }}|{{ d|jday }}|{{ 12|fa }}|{{ true|fa }}|{{ 12|fa }}"
                           "|{{ 'BBC و «ایران»'|bidi }}|{{ 'BBC و «ایران»'|bidi }}")
    expected = [jalali.format_day(day), jalali.format_day(day, False), jalali.format_day(day),
                to_persian_digits(12), "True", to_persian_digits(12),
                str(isolate_latin("BBC و «ایران»", '<bdi dir="ltr" lang="en">', "</bdi>"))]
    expected.append(expected[-1])
    assert page.render(d=day).split("|") == expected
