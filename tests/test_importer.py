"""digest import: a mixed folder of scraped pages and exports becomes articles the build reads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from digest import config as config_mod
from digest.build import build, read_settings
from digest.cli import main
from digest.importer import (canonical_url, drop_repeated_leads, edit_state, import_sources, jalali_text,
                             url_id)
from digest.readers import read_file
from tests.conftest import write_site

ZWNJ = "\u200c"

CONFIG = """\
title = "خبرنامه‌ی آزمایشی"

[[topics]]
name = "اقتصاد"
slug = "economy"
aliases = ["اقتصادی", "اقتصاد و بازار"]

[[topics]]
name = "ورزش"
slug = "sport"
aliases = ["ورزشی"]
"""

# A scraped page: furniture, a lead repeated as the second paragraph, a bare "read more" marker
# followed by the headline it links to, and the breakpoint indicator at the end.
PAGE_ONE = """\
لینکهای قابلیت دسترسی
خبر فوری
سهشنبه ۱۴ اسفند ۱۴۰۲ تهران ۰۸:۳۰

جشنواره فیلم کوتاه اصفهان برندگان خود را معرفی کرد

داوران جشنواره شامگاه دوشنبه فهرست برگزیدگان را اعلام کردند.

داوران جشنواره شامگاه دوشنبه فهرست برگزیدگان را اعلام کردند.

بیشتر بخوانید

نمایش فیلمهای کوتاه در سینماهای شهر

دبیر جشنواره گفت که امسال بیش از سیصد فیلم به دبیرخانه رسیده بود.

XS
SM
MD
LG
"""

# A second page, in a nested folder, with a "read more" line that holds its headline.
PAGE_TWO = """\
پنجشنبه ۲ فروردین ۱۴۰۳ شیراز ۱۹:۱۵

باغ ارم میزبان گردشگران نوروزی شد

شمار بازدیدکنندگان باغ ارم در روزهای نخست سال نو دو برابر شد.

بیشتر بخوانید: ترافیک سنگین در ورودی‌های شیراز

مسئولان شهر از مسافران خواستند پیش از سفر از وضعیت جاده‌ها آگاه شوند.
"""

ARRAY = [
    {
        "title": "وزیر اقتصاد: تورم در ماههای آینده کاهش مییابد",
        "text": "تورم ماهانه در پاییز کمتر از تابستان بود.\nوزیر اقتصاد این کاهش را نتیجه ی سیاستهای پولی دانست.",
        "summary": "تورم ماهانه در پاییز کمتر از تابستان بود.",
        "date": "1403-09-02T10:30",
        "category": "اقتصادی",
        "url": "https://www.example-news.ir/fa/news/1001/?utm_source=telegram",
        "tags": ["تورم", "بودجه"],
        "source": "خبرگزاری نمونه",
    },
    {
        "title": "تیم ملی والیبال به نیمه نهایی رسید",
        "paragraphs": ["تیم ملی والیبال در بازی دیروز حریف خود را سه بر یک شکست داد.",
                       "سرمربی تیم از بازیکنان جوان تقدیر کرد."],
        "date": "2024-11-23",
        "category": "ورزشی",
        "url": "https://example-news.ir/fa/news/1002",
    },
]

# JSON Lines: an Arabic-keyboard line (ي ك), a broken line, then a category nobody configured.
JSONL_LINES = [
    json.dumps({"title": "بازار كتاب در روزهاي پاياني سال", "text": "ناشران از فروش خوب كتابهاي كودك خبر دادند.",
                "date": "۱۴۰۳/۱۲/۲۰ ۱۱:۰۰", "category": "فرهنگ", "url": "https://example-news.ir/fa/news/1003"},
               ensure_ascii=False),
    '{"title": "خبر ناقص", "text": ',
    json.dumps({"title": "نشست وزیران خارجه در ژنو", "text": "وزیران خارجه دو کشور در ژنو دیدار کردند.",
                "date": "1403-08-15T09:00", "category": "بین الملل"}, ensure_ascii=False),
]


def sources(base: Path) -> Path:
    """Write the mixed folder of scraped material and return it."""
    write_site(base, {
        "scraped/page1.txt": PAGE_ONE,
        "scraped/nested/deeper/page2.txt": PAGE_TWO,
        "scraped/exports/batch.json": json.dumps(ARRAY, ensure_ascii=False, indent=2),
        "scraped/exports/feed.jsonl": "\n".join(JSONL_LINES) + "\n",
        # Windows-1256 has no Persian ی or digits: an old CMS would write Arabic ي and Latin digits.
        "scraped/legacy.txt": "سه\u200cشنبه 14 اسفند 1402\nخبر قديمي\nمتن".encode("cp1256"),
        "scraped/notes.md": "not a source: only .txt, .json and .jsonl are read",
    })
    return base / "scraped"


@pytest.fixture
def site(tmp_path: Path) -> tuple[Path, Path]:
    """Return (site root with digest.toml, folder of sources)."""
    root = write_site(tmp_path / "site", {"digest.toml": CONFIG})
    return root, sources(tmp_path / "in")


def run_import(root: Path, src: Path, *extra: str) -> int:
    """Run ``digest import`` through the command line."""
    return main(["import", "--root", str(root), str(src), *extra])


def articles(root: Path) -> dict[str, str]:
    """Return every imported article as {path under content/: text}."""
    content = root / "content"
    return {p.relative_to(content).as_posix(): p.read_text(encoding="utf-8")
            for p in sorted(content.rglob("*.md"))}


def front(text: str) -> dict:
    """Return an article's front matter, parsed."""
    return yaml.safe_load(text.split("---\n")[1])


def find(files: dict[str, str], words: str) -> tuple[str, str]:
    """Return the (path, text) of the one article whose title holds ``words``."""
    hits = [(p, t) for p, t in files.items() if words in front(t)["title"]]
    assert len(hits) == 1, (words, list(files))
    return hits[0]


def test_mixed_folder_imports_and_builds(site, capsys):
    root, src = site
    assert run_import(root, src) == 1                   # non-zero: two files had problems
    out, err = capsys.readouterr()
    assert "feed.jsonl:2: invalid JSON" in err          # the broken line, by number
    assert "legacy.txt:1: not UTF-8" in err
    assert "notes.md" not in out + err                  # not a source kind: not looked at
    files = articles(root)
    assert len(files) == 6                              # 2 pages + 2 array items + 2 good lines
    assert out.count("created ") == 6
    assert "6 created, 0 updated, 0 unchanged, 0 skipped, 2 errors" in out
    result = build(root)
    assert [p for p in result.problems if p.level == "error"] == []
    assert result.counts[0] == 6
    assert [p for p in result.problems if "unknown field" in p.message] == []


def test_front_matter_is_valid_yaml_with_normalized_text(site):
    root, src = site
    run_import(root, src)
    path, text = find(articles(root), "وزیر اقتصاد")
    fm = front(text)
    assert fm["title"] == f"وزیر اقتصاد: تورم در ماه{ZWNJ}های آینده کاهش می{ZWNJ}یابد"
    assert text.splitlines()[1].startswith("title: '")   # the colon made PyYAML quote it
    assert fm["date"] == "1403-09-02T10:30"
    assert fm["source_url"] == ARRAY[0]["url"]          # the URL as the export gave it
    assert fm["tags"] == ["تورم", "بودجه"] and fm["source"] == "خبرگزاری نمونه"
    assert f"سیاست{ZWNJ}های پولی" in text
    assert list(fm)[-1] == "imported_hash"
    _, arabic = find(articles(root), "بازار")
    assert "ي" not in arabic and "ك" not in arabic and f"کتاب{ZWNJ}های کودک" in arabic
    assert front(arabic)["date"] == "1403-12-20T11:00"   # Persian digits and slashes in, ISO out


def test_dates_are_jalali_with_latin_digits(site):
    root, src = site
    run_import(root, src)
    files = articles(root)
    assert front(find(files, "والیبال")[1])["date"] == "1403-09-03"   # 2024-11-23, no time given
    assert front(find(files, "جشنواره")[1])["date"] == "1402-12-14T08:30"
    assert front(find(files, "باغ ارم")[1])["date"] == "1403-01-02T19:15"


def test_category_aliases_map_to_configured_topics(site):
    root, src = site
    run_import(root, src)
    files = articles(root)
    path, text = find(files, "وزیر اقتصاد")
    assert path.startswith("economy/") and front(text)["topic"] == "اقتصاد"
    path, text = find(files, "والیبال")
    assert path.startswith("sport/") and front(text)["topic"] == "ورزش"
    path, text = find(files, "ژنو")                       # not configured: its own name and folder
    assert front(text)["topic"] == "بین الملل" and path.split("/")[0].isascii()
    site_model = build(root).site
    assert {t.slug for t in site_model.topics} >= {"economy", "sport"}


def test_furniture_read_more_and_repeated_leads_are_gone(site):
    root, src = site
    run_import(root, src)
    files = articles(root)
    _, festival = find(files, "جشنواره")
    for gone in ("لینک", "خبر فوری", "بیشتر بخوانید", "سینماهای شهر", "\nXS", "\nLG"):
        assert gone not in festival
    assert festival.count("فهرست برگزیدگان") == 1
    assert "سیصد فیلم" in festival
    _, garden = find(files, "باغ ارم")
    assert "بیشتر" not in garden and "ترافیک" not in garden and "مسافران" in garden
    _, minister = find(files, "وزیر اقتصاد")
    body = minister.split("---\n", 2)[2]
    assert "تابستان" not in body and "وزیر اقتصاد این کاهش" in body   # summary was the lead


def test_reimport_is_idempotent(site, capsys):
    root, src = site
    run_import(root, src)
    first = {p: (root / "content" / p).read_bytes() for p in articles(root)}
    capsys.readouterr()
    assert run_import(root, src) == 1
    out = capsys.readouterr().out
    assert {p: (root / "content" / p).read_bytes() for p in articles(root)} == first
    assert "0 created, 0 updated, 6 unchanged, 0 skipped" in out
    assert out.count("unchanged ") == 6


def test_an_edited_article_is_kept_unless_forced(site, capsys):
    root, src = site
    run_import(root, src)
    path, text = find(articles(root), "والیبال")
    file = root / "content" / path
    edited = text.replace("سرمربی تیم", "سرمربی تیم ملی")
    file.write_text(edited, encoding="utf-8")
    capsys.readouterr()
    run_import(root, src)
    out = capsys.readouterr().out
    assert f"skipped {root / 'content' / path}: edited since the last import" in out
    assert file.read_text(encoding="utf-8") == edited
    run_import(root, src, "--force")
    out = capsys.readouterr().out
    assert file.read_text(encoding="utf-8") == text and "1 updated" in out


def test_a_changed_source_updates_the_same_file(site, capsys):
    root, src = site
    run_import(root, src)
    before = articles(root)
    changed = [dict(ARRAY[0], text=ARRAY[0]["text"] + "\nبانک مرکزی هم این ارزیابی را تأیید کرد."), ARRAY[1]]
    (src / "exports" / "batch.json").write_text(json.dumps(changed, ensure_ascii=False), encoding="utf-8")
    capsys.readouterr()
    run_import(root, src)
    out = capsys.readouterr().out
    after = articles(root)
    assert set(after) == set(before) and "1 updated" in out
    assert "بانک مرکزی" in find(after, "وزیر اقتصاد")[1]


def test_a_hand_written_article_with_the_same_id_is_not_replaced(site, capsys):
    root, src = site
    run_import(root, src)
    path, text = find(articles(root), "والیبال")
    mine = text.split("imported_hash")[0] + "---\n\nمتن خودم.\n"
    (root / "content" / path).write_text(mine, encoding="utf-8")
    capsys.readouterr()
    run_import(root, src)
    assert "was not written by digest import" in capsys.readouterr().out
    assert (root / "content" / path).read_text(encoding="utf-8") == mine


def test_a_new_topic_alias_moves_the_file_without_a_duplicate(site, capsys):
    root, src = site
    run_import(root, src)
    path, _ = find(articles(root), "ژنو")
    (root / "digest.toml").write_text(CONFIG + '\n[[topics]]\nname = "بین‌الملل"\nslug = "world"\n'
                                      'aliases = ["بین الملل"]\n', encoding="utf-8")
    capsys.readouterr()
    run_import(root, src)
    files = articles(root)
    moved, text = find(files, "ژنو")
    assert moved.startswith("world/") and moved != path and len(files) == 6
    assert "moved from" in capsys.readouterr().out
    assert build(root).counts[0] == 6


def test_dry_run_writes_nothing(site, capsys):
    root, src = site
    assert run_import(root, src, "--dry-run") == 1
    out = capsys.readouterr().out
    assert not (root / "content").exists()
    assert "would import" in out and "6 created" in out


def test_same_article_twice_in_one_run_is_skipped(tmp_path, capsys):
    root = write_site(tmp_path / "site", {"digest.toml": CONFIG})
    one = dict(ARRAY[1])
    again = dict(one, url="http://example-news.ir/fa/news/1002/#comments")   # same page
    src = write_site(tmp_path / "in", {"a.jsonl": "\n".join(json.dumps(o, ensure_ascii=False)
                                                             for o in (one, again))})
    assert run_import(root, src) == 0
    out = capsys.readouterr().out
    assert len(articles(root)) == 1 and "a.jsonl:2: the same article as" in out


def test_articles_without_url_get_ids_from_title_and_date(tmp_path):
    root = write_site(tmp_path / "site", {"digest.toml": CONFIG})
    item = {"title": "خبر بی نشانی", "text": "متن.", "date": "1403-09-02T08:00"}
    src = write_site(tmp_path / "in", {"a.json": json.dumps(item, ensure_ascii=False)})
    config = config_mod.load(root)
    import_sources([src], config, root / "content")
    import_sources([src], config, root / "content")
    files = articles(root)
    assert len(files) == 1
    (name,) = files
    assert name.split("/")[1].startswith("14030902-")
    article, _ = read_file(root / "content" / name, name, read_settings(config))
    assert article.id == front(files[name])["id"]


def test_missing_title_or_date_is_an_error_naming_the_line(tmp_path, capsys):
    root = write_site(tmp_path / "site", {"digest.toml": CONFIG})
    lines = [{"text": "بی عنوان", "date": "1403-09-02"}, {"title": "بی تاریخ", "text": "متن."},
             {"title": "تاریخ ناممکن", "text": "متن.", "date": "1403-07-31"}]
    src = write_site(tmp_path / "in", {"x.jsonl": "\n".join(json.dumps(o, ensure_ascii=False) for o in lines)})
    assert run_import(root, src) == 1
    err = capsys.readouterr().err
    assert "x.jsonl:1: missing title" in err
    assert "x.jsonl:2: missing date" in err
    assert "x.jsonl:3: invalid date" in err and "30 days" in err


def test_url_ids_ignore_scheme_www_tracking_and_slash():
    a = url_id("https://www.example-news.ir/fa/news/1001/?utm_source=tg")
    assert a == url_id("http://example-news.ir/fa/news/1001") and a.startswith("example-news-")
    assert a != url_id("https://example-news.ir/fa/news/1002")
    assert canonical_url("https://x.ir/%D8%AE%D8%A8%D8%B1?b=2&a=1") == "x.ir/خبر?a=1&b=2"


def test_repeated_leads_are_compared_ignoring_spacing_and_zwnj():
    lead = "نتایج اعلام شد."
    assert drop_repeated_leads([lead, "نتایج  اعلام  شد", "دوم."], None) == [lead, "دوم."]
    assert drop_repeated_leads([lead, "دوم."], "نتایج اعلام شد") == ["دوم."]
    assert drop_repeated_leads([lead, "دوم."], "چیز دیگر") == [lead, "دوم."]


def test_jalali_text_keeps_time_only_when_given():
    assert jalali_text("2024-11-22T19:45:00+03:30", config_mod.load(Path("/nonexistent")).tz)[0] == "1403-09-02T19:45"
    assert jalali_text("۲ آذر ۱۴۰۳", config_mod.load(Path("/nonexistent")).tz)[0] == "1403-09-02"


def test_edit_state():
    assert edit_state("no front matter") == "foreign"
    assert edit_state("---\ntitle: a\n---\nb\n") == "foreign"


def test_an_exported_latin_id_is_used_only_without_a_url(tmp_path):
    root = write_site(tmp_path / "site", {"digest.toml": CONFIG})
    items = [{"title": "یک", "text": "متن یک.", "date": "1403-09-02", "id": "story-7"},
             {"title": "دو", "text": "متن دو.", "date": "1403-09-02", "id": "story-8",
              "url": "https://news.example.org/a/8"},
             {"title": "سه", "text": "متن سه.", "date": "1403-09-02", "id": "../etc"}]
    src = write_site(tmp_path / "in", {"a.json": json.dumps(items, ensure_ascii=False)})
    import_sources([src], config_mod.load(root), root / "content")
    names = sorted(p.split("/")[1] for p in articles(root))
    assert "story-7.md" in names and "story-8.md" not in names
    assert len(names) == 3                               # the refused "../etc" falls back to title and date
    assert any(n.startswith("news-") for n in names) and any(n.startswith("14030902-") for n in names)
