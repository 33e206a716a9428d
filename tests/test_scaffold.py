"""``digest new``: a new site that builds cleanly at once."""

from __future__ import annotations

import datetime as dt

import pytest

from digest.build import build
from digest.cli import main
from digest.errors import OutputError
from digest.scaffold import scaffold


def test_a_new_site_builds_without_a_single_problem(tmp_path):
    site = tmp_path / "news"
    made = scaffold(site, today=dt.date(2025, 3, 21))
    assert made == ["digest.toml", ".gitignore", "content/farhang/nokhostin-khabar.md"]
    text = (site / made[2]).read_text(encoding="utf-8")
    assert "date: 1404-01-01T09:00" in text  # Nowruz 1404 is 21 March 2025
    result = build(site, strict=True)
    assert [a.title for a in result.site.articles] == ["نخستین خبر این سایت"]
    page = (site / "site/1404/01/01/nokhostin-khabar/index.html").read_text(encoding="utf-8")
    assert 'href="../../../../topics/"' in page  # the example's site link works under any base path
    assert (site / "site/feed.xml").exists()


def test_templates_are_copied_and_used(tmp_path):
    site = tmp_path / "news"
    made = scaffold(site, templates=True)
    assert {"templates/base.html", "templates/_publish_head.html", "templates/static/site.css"} <= set(made)
    base = site / "templates/base.html"
    base.write_text(base.read_text(encoding="utf-8").replace("</footer>", "<p>ویرایش‌شده</p></footer>"),
                    encoding="utf-8")
    build(site, strict=True)
    assert "ویرایش‌شده" in (site / "site/index.html").read_text(encoding="utf-8")


def test_an_existing_folder_is_never_overwritten(tmp_path):
    site = tmp_path / "news"
    site.mkdir()
    (site / "digest.toml").write_text('title = "قدیمی"\n', encoding="utf-8")
    with pytest.raises(OutputError, match="not empty"):
        scaffold(site)
    assert (site / "digest.toml").read_text(encoding="utf-8") == 'title = "قدیمی"\n'
    (tmp_path / "empty-but-there").mkdir()
    scaffold(tmp_path / "empty-but-there")
    assert (tmp_path / "empty-but-there/digest.toml").exists()


def test_the_command_line(tmp_path, capsys):
    assert main(["new", str(tmp_path / "cli-site")]) == 0
    out, err = capsys.readouterr()
    assert "created content/farhang/nokhostin-khabar.md" in err and "digest build" in out
    assert main(["new", str(tmp_path / "cli-site")]) == 1
    assert "already exists and is not empty" in capsys.readouterr().err
