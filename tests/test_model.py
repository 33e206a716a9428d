"""The site model: counts computed once when a day, month or year is made; Articles through pickle."""

from __future__ import annotations

import dataclasses
import pickle

import pytest

from digest.assemble import assemble
from digest.model import Article
from tests.test_assemble import CONF, SPECS, arts


def test_counts_are_the_articles_each_day_month_and_year_holds():
    site = assemble(arts(*SPECS), CONF)
    assert [d.count for d in site.days] == [3, 1, 1]   # 1404-01-01, 1403-12-30, 1403-12-29
    for day in site.days:
        assert day.count == len(day.articles)
    assert [m.count for m in site.months] == [3, 2]
    assert [y.count for y in site.years] == [3, 2]
    assert sum(y.count for y in site.years) == len(SPECS)


def test_a_count_is_neither_compared_nor_set_by_hand():
    site = assemble(arts(*SPECS), CONF)
    day = site.days[0]
    assert dataclasses.replace(day) == day and dataclasses.replace(day).count == 3
    smaller = dataclasses.replace(day, groups=day.groups[:1])
    assert smaller.count == len(day.groups[0].articles) and smaller != day
    assert "count" not in repr(day)


def test_an_unpickled_article_equals_the_original_and_stays_frozen():
    for article in arts(*SPECS):
        back = pickle.loads(pickle.dumps(article, protocol=pickle.HIGHEST_PROTOCOL))
        assert type(back) is Article and back == article and hash(back) == hash(article)
        assert [getattr(back, f.name) for f in dataclasses.fields(Article)] == \
            [getattr(article, f.name) for f in dataclasses.fields(Article)]
        with pytest.raises(dataclasses.FrozenInstanceError):
            back.title = "x"  # type: ignore[misc]


@pytest.mark.parametrize("body", [
    "<p>خبر تازه‌ی امروز، با <bdi dir=\"ltr\" lang=\"en\">IMF</bdi> 😀</p>\n",   # ZWNJ, Latin, a 4-byte character
    "",
    "<p>\ud83d\ude00</p>",   # the two halves of a pair as two code points: not the one character they encode
    "<p>\udc80</p>",         # a lone surrogate
])
def test_an_article_body_comes_back_through_pickle_as_the_same_string(body):
    article = dataclasses.replace(arts(*SPECS)[0], body_html=body)
    back = pickle.loads(pickle.dumps(article, protocol=pickle.HIGHEST_PROTOCOL))
    assert type(back.body_html) is str and back.body_html == body and len(back.body_html) == len(body)
    assert back == article
