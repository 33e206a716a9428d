"""Assembling the site model and the page plan from articles (pure, no files)."""

from __future__ import annotations

from pathlib import Path

from digest import config as config_mod
from digest.assemble import assemble, calendar, plan
from digest.jalali import JDate
from digest.readers import ReadSettings, read_text
from tests.conftest import article

CONF = config_mod.from_dict(Path("."), {"per_page": 2, "index_days": 1, "topics": [
    {"name": "بین‌الملل", "slug": "world", "aliases": ["جهان"]}]})


def arts(*specs: tuple[str, str, str, str]):
    """Read articles from (id, date, topic, title) tuples through the real reader."""
    return [read_text(f"{i}.md", article(title, date, topic, id=i).encode(), ReadSettings())[0]
            for i, date, topic, title in specs]


SPECS = [
    ("a", "1403-12-29T09:00", "سیاست", "الف"),
    ("b", "1403-12-30T10:00", "جهان", "ب"),
    ("c", "1404-01-01T08:00", "بین الملل", "پ"),
    ("d", "1404-01-01T12:00", "سیاست", "ت"),
    ("e", "1404-01-01T18:00", "سیاست", "ث"),
]


def test_groups_by_day_month_year_across_nowruz():
    site = assemble(arts(*SPECS), CONF)
    assert [d.date for d in site.days] == [JDate(1404, 1, 1), JDate(1403, 12, 30), JDate(1403, 12, 29)]
    assert [(m.year, m.month) for m in site.months] == [(1404, 1), (1403, 12)]
    assert [y.year for y in site.years] == [1404, 1403]
    assert site.by_day[JDate(1404, 1, 1)].count == 3


def test_aliases_merge_into_the_configured_topic():
    site = assemble(arts(*SPECS), CONF)
    world = next(t for t in site.topics if t.slug == "world")
    assert world.name == "بین‌الملل" and [a.id for a in world.articles] == ["c", "b"]


def test_articles_are_newest_first_within_days_and_topics():
    site = assemble(arts(*SPECS), CONF)
    politics = next(t for t in site.topics if t.name == "سیاست")
    assert [a.id for a in politics.articles] == ["e", "d", "a"]
    nowruz = site.by_day[JDate(1404, 1, 1)]
    assert [a.id for g in nowruz.groups if g.topic is politics for a in g.articles] == ["e", "d"]


def test_unknown_topics_get_stable_ascii_slugs():
    one = assemble(arts(("x", "1403-09-02", "محیط زیست", "ا")), CONF).topics[0].slug
    two = assemble(arts(("y", "1403-09-03", "محیط‌زیست", "ب"), ("z", "1403-09-03", "ورزش", "پ")), CONF)
    assert one.isascii() and one
    assert one in {t.slug for t in two.topics}


def test_plan_lists_every_page_once():
    site = assemble(arts(*SPECS), CONF)
    urls = [p.url for p in plan(site, CONF)]
    assert len(urls) == len(set(urls))
    expected = {"/", "/topics/", "/404.html", "/1404/", "/1403/", "/1404/01/", "/1403/12/",
                "/1404/01/01/", "/1403/12/30/", "/1403/12/29/",
                "/topics/world/"}
    assert expected <= set(urls)
    assert {a.url for a in site.articles} <= set(urls)
    politics = next(t for t in site.topics if t.name == "سیاست")
    assert politics.page_url(2) in urls and politics.page_url(3) not in urls   # 3 articles, 2 per page


def test_calendar_marks_days_with_news():
    site = assemble(arts(*SPECS), CONF)
    cells = [c for week in calendar(site, 1403, 12) for c in week if c.date]
    assert len(cells) == 30
    assert [c.date.day for c in cells if c.day] == [29, 30]
