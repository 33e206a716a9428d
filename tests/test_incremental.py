"""Incremental rebuilds: each kind of change re-renders exactly the pages that display it, and
the output is always byte-identical to a clean build of the same files.

The expected page sets come from a small model of the site kept here in the test (articles with
Jalali day, time and topic), following the contract in docs/incremental.md, never from digest.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from digest.build import Builder, build
from tests.conftest import ROOT, write_site

CONFIG = """
title = "خبرنامه‌ی آزمایشی"
per_page = 2
index_days = 3

[[topics]]
name = "اقتصاد"
slug = "economy"

[[topics]]
name = "سیاست"
slug = "politics"

[[topics]]
name = "ورزش"
slug = "sports"
"""
TOPIC_NAMES = {"economy": "اقتصاد", "politics": "سیاست", "sports": "ورزش"}


@dataclass(frozen=True)
class Art:
    """The test's own view of one article."""

    id: str
    day: str          # Jalali "1403/09/02"
    time: str         # "10:00"
    topic: str        # slug
    version: int = 0  # bumped on every edit of the text

    @property
    def month(self) -> str:
        return self.day[:7]

    @property
    def year(self) -> str:
        return self.day[:4]

    def text(self) -> str:
        body = f"متن خبر {self.id} نسخه‌ی {self.version}.\n\nبند دوم با واژه‌ی Python."
        return (f"---\ntitle: خبر {self.id} نسخه‌ی {self.version}\ndate: {self.day.replace('/', '-')}T{self.time}\n"
                f"topic: {TOPIC_NAMES[self.topic]}\nid: {self.id}\n---\n{body}\n")


START = [Art("p1", "1403/09/02", "10:00", "politics"), Art("p2", "1403/09/02", "11:00", "politics"),
         Art("s1", "1403/09/02", "12:00", "sports"), Art("p3", "1403/09/05", "09:00", "politics"),
         Art("e1", "1403/08/20", "09:00", "economy"), Art("p4", "1402/12/10", "09:00", "politics")]


def newest_first(arts) -> list[Art]:
    return sorted(arts, key=lambda a: (a.day, a.time, a.id), reverse=True)


def displays(arts: dict[str, Art], per_page: int = 2, index_days: int = 3) -> dict[str, object]:
    """Return {output path: what that page displays} for a site of these articles."""
    live = newest_first(arts.values())
    days = sorted({a.day for a in live}, reverse=True)
    months = sorted({a.month for a in live}, reverse=True)
    years = sorted({a.year for a in live}, reverse=True)
    topics = sorted({a.topic for a in live}, key=lambda s: TOPIC_NAMES[s])
    on = {d: [a for a in live if a.day == d] for d in days}
    of_topic = {t: [a for a in live if a.topic == t] for t in topics}

    def day_sum(d):
        return (d, len(on[d]))

    def month_sum(m):
        return (m, sum(len(on[d]) for d in days if d.startswith(m)), sum(d.startswith(m) for d in days))

    def year_sum(y):
        return (y, sum(a.year == y for a in live), sum(m.startswith(y) for m in months))

    def full_day(d):
        return (day_sum(d), [(t, [(a.id, a.version) for a in on[d] if a.topic == t])
                             for t in topics if any(a.topic == t for a in on[d])])

    def calendar(m):
        return [day_sum(d) for d in days if d.startswith(m)]

    def around(items, i, summary):
        return (summary(items[i - 1]) if i > 0 else None, summary(items[i + 1]) if i + 1 < len(items) else None)

    # Every page's nav names the topics; its footer links to the newest year.
    nav = ([(t, TOPIC_NAMES[t]) for t in topics], years[0] if years else None)
    pages: dict[str, object] = {"404.html": nav, "topics/index.html": (nav, [(t, len(of_topic[t])) for t in topics])}
    latest = days[0] if days else None
    pages["index.html"] = (nav, full_day(latest) if latest else None,
                           [day_sum(d) for d in days[1:1 + index_days]],
                           calendar(latest[:7]) if latest else None, month_sum(latest[:7]) if latest else None)
    for i, d in enumerate(days):
        pages[f"{d}/index.html"] = (nav, full_day(d), around(days, i, day_sum), calendar(d[:7]), month_sum(d[:7]))
        for a in on[d]:
            related = [(b.id, b.version) for b in on[d] if b.topic == a.topic and b.id != a.id]
            pages[f"{d}/{a.id}/index.html"] = (nav, (a.id, a.version), a.topic, day_sum(d), related)
    for i, m in enumerate(months):
        pages[f"{m}/index.html"] = (nav, month_sum(m), [full_day(d) for d in reversed(days) if d.startswith(m)],
                                    around(months, i, month_sum), calendar(m))
    for i, y in enumerate(years):
        pages[f"{y}/index.html"] = (nav, year_sum(y), [(month_sum(m), [full_day(d) for d in reversed(days)
                                                                       if d.startswith(m)])
                                                       for m in reversed(months) if m.startswith(y)],
                                    around(years, i, year_sum))
    for t in topics:
        chunks = [of_topic[t][i:i + per_page] for i in range(0, len(of_topic[t]), per_page)]
        for n, chunk in enumerate(chunks, 1):
            out = f"topics/{t}/index.html" if n == 1 else f"topics/{t}/page/{n}/index.html"
            pages[out] = (nav, (t, len(of_topic[t])), n, len(chunks), [(a.id, a.version, a.day) for a in chunk])
    return pages


def expected_rerendered(before: dict[str, object], after: dict[str, object]) -> set[str]:
    """Return the pages of ``after`` that are new or display something else than before."""
    return {out for out, shown in after.items() if before.get(out) != shown}


def tree(folder: Path) -> dict[str, bytes]:
    """Return every file under ``folder`` as {relative path: bytes}."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def clean_build_of(root: Path, elsewhere: Path) -> dict[str, bytes]:
    """Copy the site's inputs to another folder, build it from nothing, and return its output."""
    if elsewhere.exists():
        shutil.rmtree(elsewhere)
    elsewhere.mkdir(parents=True)
    for name in ("content", "templates", "digest.toml"):
        src = root / name
        if src.is_dir():
            shutil.copytree(src, elsewhere / name)
        elif src.exists():
            shutil.copy2(src, elsewhere / name)
    build(elsewhere, cache=False)
    return tree(elsewhere / "site")


def html_pages(paths) -> set[str]:
    return {p for p in paths if p.endswith(".html")}


class Site:
    """A site on disk plus the test's model of it."""

    def __init__(self, root: Path):
        self.root = root
        self.arts = {a.id: a for a in START}
        self.touched: set[Path] = set()   # what a watcher would report since the last take()
        write_site(root, {"digest.toml": CONFIG, **{self.path(a): a.text() for a in START}})

    def path(self, a: Art) -> str:
        return f"content/{a.topic}/{a.id}.md"

    def save(self, a: Art, old: Art | None = None) -> None:
        """Write an article the way an editor saves: to a temporary file, then renamed over."""
        target = self.root / self.path(a)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(".tmp-" + target.name)
        tmp.write_text(a.text(), encoding="utf-8")
        os.replace(tmp, target)
        self.touched |= {tmp, target}
        if old is not None and self.path(old) != self.path(a):
            (self.root / self.path(old)).unlink(missing_ok=True)
            self.touched.add(self.root / self.path(old))
        self.arts[a.id] = a

    def delete(self, aid: str) -> None:
        path = self.root / self.path(self.arts.pop(aid))
        path.unlink()
        self.touched.add(path)

    def take(self) -> set[Path]:
        """Return the paths changed since the last call, as the watcher of ``digest serve`` reports them."""
        touched, self.touched = self.touched, set()
        return touched


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return Site(tmp_path / "site-root")


def edit(a: Art, **changes) -> Art:
    return replace(a, version=a.version + 1, **changes)


CHANGES = {
    "edit body": lambda s: s.save(edit(s.arts["p1"]), s.arts["p1"]),
    "edit title": lambda s: s.save(edit(s.arts["s1"]), s.arts["s1"]),
    "other day": lambda s: s.save(edit(s.arts["p1"], day="1403/09/03"), s.arts["p1"]),
    "other month": lambda s: s.save(edit(s.arts["p1"], day="1403/08/20"), s.arts["p1"]),
    "other year": lambda s: s.save(edit(s.arts["p3"], day="1402/12/10", time="08:00"), s.arts["p3"]),
    "other topic": lambda s: s.save(edit(s.arts["p2"], topic="sports"), s.arts["p2"]),
    "add": lambda s: s.save(Art("e2", "1403/09/02", "13:00", "economy")),
    "delete": lambda s: s.delete("s1"),
}


def rebuild_as(how: str, builder: Builder, site: Site):
    """Rebuild after a change: in a new process, with the same Builder, or as serve does."""
    if how == "from-cache":
        return build(site.root)
    if how == "watched":   # only the reported paths are looked at (digest/quick.py)
        return builder.rebuild(site.take(), complete=True)
    return builder.rebuild()


@pytest.mark.parametrize("kind", list(CHANGES))
@pytest.mark.parametrize("how", ["in-memory", "watched", "from-cache"])
def test_a_change_rerenders_exactly_the_pages_that_show_it(site, tmp_path, kind, how):
    builder = Builder(site.root)
    first = builder.rebuild()
    before = displays(site.arts)
    assert set(first.rendered) == set(before)  # the model knows every page of the site
    site.take()
    CHANGES[kind](site)
    result = rebuild_as(how, builder, site)
    expected = expected_rerendered(before, displays(site.arts))
    assert set(result.rendered) == expected
    assert tree(site.root / "site") == clean_build_of(site.root, tmp_path / "clean")


def test_edit_body_rerenders_its_page_its_lists_and_its_related(site):
    builder = Builder(site.root)
    builder.rebuild()
    site.save(edit(site.arts["p1"]), site.arts["p1"])
    result = builder.rebuild()
    assert set(result.rendered) == {"1403/09/02/p1/index.html", "1403/09/02/p2/index.html",
                                    "1403/09/02/index.html", "1403/09/index.html", "1403/index.html",
                                    "topics/politics/page/2/index.html"}
    assert result.inputs == ["content/politics/p1.md"]


def test_nothing_changed_renders_and_writes_nothing(site):
    build(site.root)
    stamps = {p: p.stat().st_mtime_ns for p in (site.root / "site").rglob("*") if p.is_file()}
    again = build(site.root)
    assert again.rendered == [] and again.written == [] and again.stats.written == 0
    assert again.counts == (6, 3, 4) and again.pages == len(displays(site.arts))
    assert {p: p.stat().st_mtime_ns for p in (site.root / "site").rglob("*") if p.is_file()} == stamps


def test_rename_moves_the_page_and_removes_the_old_one(site, tmp_path):
    builder = Builder(site.root)
    builder.rebuild()
    old = site.arts["e1"]
    (site.root / "content/economy/e1.md").rename(site.root / "content/economy/e1-renamed.md")
    result = builder.rebuild()
    # The id comes from the front matter, so the page stays; only the source path changed.
    assert "1403/08/20/e1/index.html" in result.rendered and result.removed == []
    text = (site.root / "content/economy/e1-renamed.md").read_text(encoding="utf-8")
    (site.root / "content/economy/e1-renamed.md").write_text(text.replace("id: e1", "id: e9"), encoding="utf-8")
    result = builder.rebuild()
    assert result.removed == ["1403/08/20/e1/index.html"]
    assert "1403/08/20/e9/index.html" in result.written and old.id == "e1"
    assert tree(site.root / "site") == clean_build_of(site.root, tmp_path / "clean")


def test_editing_an_included_partial_rerenders_the_pages_that_import_it(site, tmp_path):
    builder = Builder(site.root)
    builder.rebuild()
    partial = (ROOT / "templates/_macros.html").read_text(encoding="utf-8")
    (site.root / "templates").mkdir()
    (site.root / "templates/_macros.html").write_text(partial.replace('class="card"', 'class="card own"'),
                                                      encoding="utf-8")
    result = builder.rebuild()
    # Every page kind but article, topics and 404 imports _macros.html (see templates/*.html).
    importers = {p for p in displays(site.arts) if not p.startswith(("topics/index", "404"))
                 and not (p.count("/") == 4 and not p.startswith("topics/"))}
    assert set(result.rendered) == importers
    assert result.inputs == ["templates/_macros.html"]
    assert tree(site.root / "site") == clean_build_of(site.root, tmp_path / "clean")


@pytest.mark.parametrize("how", ["in-memory", "watched", "from-cache"])
def test_a_new_topic_reaches_the_shared_masthead_of_every_page(site, tmp_path, how):
    # The masthead is drawn once and reused on many pages (render.fragment); a topic added in
    # a rebuild must show on every page, as in a clean build.
    builder = Builder(site.root)
    builder.rebuild()
    site.take()
    path = site.root / "content/culture/c1.md"
    path.parent.mkdir()
    path.write_text("---\ntitle: خبر فرهنگی\ndate: 1403-09-02T15:00\ntopic: فرهنگ\nid: c1\n---\nمتن.\n",
                    encoding="utf-8")
    site.touched.add(path)
    rebuild_as(how, builder, site)
    pages = html_pages(tree(site.root / "site"))
    assert len(pages) == len(displays(site.arts)) + 2   # the new article's page and its topic's
    for out in pages:
        html = (site.root / "site" / out).read_text(encoding="utf-8")
        assert html.count(">فرهنگ</a>") >= 1, out
    assert tree(site.root / "site") == clean_build_of(site.root, tmp_path / "clean")


def test_editing_the_shared_masthead_rerenders_every_page(site, tmp_path):
    builder = Builder(site.root)
    builder.rebuild()
    masthead = (ROOT / "templates/_masthead.html").read_text(encoding="utf-8")
    write_site(site.root, {"templates/_masthead.html": masthead.replace('class="brand"', 'class="brand own"')})
    result = builder.rebuild()
    # Every page draws it, though most got it from the fragment cache: all are recorded.
    assert set(result.rendered) == set(displays(site.arts))
    assert result.inputs == ["templates/_masthead.html"]
    assert tree(site.root / "site") == clean_build_of(site.root, tmp_path / "clean")


def test_static_asset_edit_writes_only_that_file(site, tmp_path):
    build(site.root)
    css = (ROOT / "templates/static/site.css").read_text(encoding="utf-8")
    write_site(site.root, {"templates/static/site.css": css + "\n.own { color: red; }\n"})
    result = build(site.root)
    assert result.rendered == [] and result.written == ["static/site.css"]
    assert tree(site.root / "site") == clean_build_of(site.root, tmp_path / "clean")


def test_config_edit_rerenders_everything(site, tmp_path):
    builder = Builder(site.root)
    builder.rebuild()
    (site.root / "digest.toml").write_text(CONFIG.replace("خبرنامه‌ی آزمایشی", "خبرنامه‌ی دیگر"),
                                           encoding="utf-8")
    result = builder.rebuild()
    assert set(result.rendered) == set(displays(site.arts)) and result.inputs[0] == "digest.toml"
    assert tree(site.root / "site") == clean_build_of(site.root, tmp_path / "clean")


def test_deleted_output_page_is_restored(site):
    build(site.root)
    victim = site.root / "site/1403/09/05/p3/index.html"
    data = victim.read_bytes()
    victim.unlink()
    result = build(site.root)
    assert result.rendered == ["1403/09/05/p3/index.html"] and victim.read_bytes() == data


def test_same_size_same_mtime_edit_is_seen_when_named(site):
    builder = Builder(site.root)
    builder.rebuild()
    path = site.root / "content/politics/p1.md"
    st = path.stat()
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("نسخه‌ی 0", "نسخه‌ی 7"), encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert builder.rebuild().rendered == []            # stat alone cannot see it
    assert "1403/09/02/p1/index.html" in builder.rebuild({path}).rendered


def test_a_failed_rebuild_keeps_state_and_the_next_one_recovers(site, tmp_path):
    builder = Builder(site.root)
    builder.rebuild()
    write_site(site.root, {"templates/article.html": '{% extends "base.html" %}{% block main %}'
                                                     "{{ article.nope.deeper }}{% endblock %}"})
    with pytest.raises(Exception, match="nope"):
        builder.rebuild()
    (site.root / "templates/article.html").unlink()
    site.save(edit(site.arts["p4"]), site.arts["p4"])
    result = builder.rebuild()
    assert "1402/12/10/p4/index.html" in result.rendered
    assert tree(site.root / "site") == clean_build_of(site.root, tmp_path / "clean")


# ---- random sequences of edits ------------------------------------------------------------

DAYS = ["1403/09/02", "1403/09/03", "1403/08/20", "1402/12/10"]
steps = st.lists(st.tuples(st.sampled_from(["create", "edit", "rename", "delete"]),
                           st.integers(0, 7), st.sampled_from(DAYS), st.sampled_from(sorted(TOPIC_NAMES)),
                           st.sampled_from(["08:00", "10:00", "12:00"])), min_size=1, max_size=6)


@settings(max_examples=16, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps, st.sampled_from(["in-memory", "watched"]))
def test_random_changes_end_byte_identical_to_a_clean_build(tmp_path_factory, sequence, how):
    base = tmp_path_factory.mktemp("prop")
    s = Site(base / "site-root")
    builder = Builder(s.root)
    builder.rebuild()
    s.take()
    for op, n, day, topic, time in sequence:
        ids = sorted(s.arts)
        a = s.arts[ids[n % len(ids)]] if ids else None
        if op == "create" or a is None:
            s.save(Art(f"n{n}", day, time, topic), s.arts.get(f"n{n}"))
        elif op == "edit":
            s.save(edit(a, day=day, time=time), a)
        elif op == "rename":
            s.save(edit(a, topic=topic), a)  # moves the file to another topic folder
        else:
            s.delete(a.id)
        rebuild_as(how, builder, s)
    assert tree(s.root / "site") == clean_build_of(s.root, base / "clean")


def test_edits_after_a_move_rerender_exactly_the_pages_that_show_them(site, tmp_path):
    """Each build in a fresh process: body and title edits use the page index of the last full
    fingerprint pass, which a move (the article's day changes) must have refreshed."""
    build(site.root)
    for kind in ["edit body", "edit title", "other day", "edit body", "other topic", "edit body"]:
        before = displays(site.arts)
        CHANGES[kind](site)
        result = build(site.root)
        assert set(result.rendered) == expected_rerendered(before, displays(site.arts)), kind
    assert tree(site.root / "site") == clean_build_of(site.root, tmp_path / "clean")


def test_page_values_are_model_objects_not_copied_fields(site):
    """An edit that keeps every article in place re-fingerprints only the pages covering it, which
    is sound only while page values are model objects (a copied title would go unseen)."""
    from digest import config as config_mod
    from digest.assemble import CalendarCell, plan
    from digest.jalali import JDate
    from digest.model import Article, Day, Month, Topic, Year

    allowed = (Article, Topic, Day, Month, Year, CalendarCell, JDate, int, bool, type(None))

    def check(value):
        if isinstance(value, (list, tuple)) and not isinstance(value, JDate):
            for item in value:
                check(item)
        else:
            assert isinstance(value, allowed), type(value)

    result = build(site.root)
    for page in plan(result.site, config_mod.load(site.root)):
        for value in page.context.values():
            check(value)


def test_a_watched_rebuild_looks_only_at_the_reported_paths(site):
    """The promise ``complete=True`` relies on: an unreported edit stays unseen until a rebuild
    that lists everything (which the preview does after (re)starting its watcher)."""
    builder = Builder(site.root)
    builder.rebuild()
    site.take()
    site.save(edit(site.arts["p1"]), site.arts["p1"])
    site.take()                                    # the report is lost
    site.save(edit(site.arts["s1"]), site.arts["s1"])
    watched = builder.rebuild(site.take(), complete=True)
    assert "1403/09/02/s1/index.html" in watched.rendered
    assert "1403/09/02/p1/index.html" not in watched.rendered
    assert "1403/09/02/p1/index.html" in builder.rebuild(set(), complete=False).rendered


def test_an_edit_that_moves_nothing_renders_only_the_pages_that_cover_it_from_the_last_site(site, tmp_path):
    builder = Builder(site.root)
    builder.rebuild()
    site.take()
    before = displays(site.arts)
    site.save(edit(site.arts["p3"]), site.arts["p3"])      # the latest day: the index shows it
    result = builder.rebuild(site.take(), complete=True)
    assert set(result.rendered) == expected_rerendered(before, displays(site.arts)) != set()
    assert "index.html" in result.rendered and result.removed == []
    assert result.site.by_day == clean_site(site.root, tmp_path / "clean").by_day
    assert tree(site.root / "site") == clean_build_of(site.root, tmp_path / "clean")


def clean_site(root: Path, elsewhere: Path):
    """Return the Site a clean build of the same inputs assembles."""
    clean_build_of(root, elsewhere)
    return build(elsewhere, cache=False).site


def test_a_deferred_save_is_written_by_flush_or_before_the_next_rebuild(site, tmp_path):
    builder = Builder(site.root, defer_save=True)
    builder.rebuild()
    site.take()
    site.save(edit(site.arts["p1"]), site.arts["p1"])
    builder.rebuild(site.take(), complete=True)
    builder.flush()
    assert records_match_a_full_pass(builder)
    assert build(site.root).rendered == []                 # the cache on disk knows the edit
    site.save(edit(site.arts["p2"]), site.arts["p2"])
    builder.rebuild(site.take(), complete=True)            # not saved yet ...
    write_site(site.root, {"templates/article.html": "{{ article.nope.deeper }}"})
    with pytest.raises(Exception, match="nope"):
        builder.rebuild({site.root / "templates/article.html"}, complete=True)  # saved before this failed
    (site.root / "templates/article.html").unlink()
    result = build(site.root)                              # a new process after the failure
    assert "1403/09/02/p2/index.html" not in result.rendered
    assert tree(site.root / "site") == clean_build_of(site.root, tmp_path / "clean")


def records_match_a_full_pass(builder: Builder) -> bool:
    """Tell whether every page record holds the fingerprint a full pass over the site computes."""
    from digest.assemble import plan
    from digest.deps import Fingerprints

    state, config = builder.state, builder._config
    prints = Fingerprints(state.site, state.key + repr(config))
    return {p.output: prints.page(p) for p in plan(state.site, config)} == {
        out: fp for out, (fp, _) in state.pages.items()}


def test_an_edit_whose_rebuild_failed_is_built_by_the_next_rebuild_even_if_nothing_else_changed(site, tmp_path):
    write_site(site.root, {"templates/article.html": '{% extends "default:article.html" %}{% block main %}'
                                                     "{% if 'boom' in article.title %}{{ article.nope.deeper }}"
                                                     "{% endif %}{{ super() }}{% endblock %}"})
    builder = Builder(site.root)
    builder.rebuild()
    path = site.root / "content/politics/p1.md"
    good = path.read_text(encoding="utf-8")
    path.write_text(good.replace("title: ", "title: boom ", 1), encoding="utf-8")
    with pytest.raises(Exception, match="nope"):
        builder.rebuild({path}, complete=True)
    with pytest.raises(Exception, match="nope"):
        builder.rebuild(set(), complete=True)       # nothing new, but the edit is not built yet
    path.write_text(good, encoding="utf-8")
    assert "1403/09/02/p1/index.html" in builder.rebuild({path}, complete=True).rendered
    assert tree(site.root / "site") == clean_build_of(site.root, tmp_path / "clean")
