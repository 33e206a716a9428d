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


# ---- swapping edited articles in, and planning only around them ---------------------------

MANY = [(f"n{k}", f"1404-01-{1 + k % 3:02d}T{8 + k % 5:02d}:00", ["سیاست", "جهان", "ورزش"][k % 3 if k % 4 else 0],
         f"عنوان {k}") for k in range(14)]


def retitled(article_, title: str):
    """Return the article read again with another title and body, same path, id, date and topic."""
    from dataclasses import replace

    return replace(article_, title=title, body_html=f"<p>{title}</p>", summary=title,
                   fingerprint=article_.fingerprint + "+")


def test_swapping_edited_articles_equals_assembling_them_again():
    from digest.assemble import swap_articles

    articles = arts(*MANY)
    site = assemble(articles, CONF)
    for chosen in ([3], [0, 7], [2, 5, 13]):
        fresh = {articles[k].path: retitled(articles[k], f"تازه {k}") for k in chosen}
        again = assemble([fresh.get(a.path, a) for a in articles], CONF)
        swapped = swap_articles(site, fresh, again.problems)
        assert swapped == again
        assert swapped.by_day == again.by_day and swapped.by_month == again.by_month
        assert swapped.topic_of == again.topic_of
        # every object that holds an article holds the new one (a group names its topic)
        for day in swapped.days:
            for group in day.groups:
                assert group.topic is next(t for t in swapped.topics if t.key == group.topic.key)
                assert all(a is swapped.topic_of[a.url].articles[swapped.topic_of[a.url].articles.index(a)]
                           for a in group.articles)


def test_planning_around_an_article_lists_exactly_the_pages_whose_fingerprint_covers_it():
    from digest.assemble import plan_around
    from digest.deps import Fingerprints

    site = assemble(arts(*MANY), CONF)
    pages = plan(site, CONF)
    prints = Fingerprints(site, "key", collect=True)
    covering: dict[str, set[str]] = {}
    for page in pages:
        prints.page(page)
        for path in set(prints.covered):
            covering.setdefault(path, set()).add(page.url)
    by_url = {p.url: p for p in pages}
    for article in site.articles:
        around = plan_around(site, CONF, [article])
        assert {p.url for p in around} == covering[article.path]
        for page in around:
            assert page.template == by_url[page.url].template and page.context == by_url[page.url].context
