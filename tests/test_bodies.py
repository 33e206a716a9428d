"""Article bodies stored apart in the cache: read only when shown, and never changing the output."""

from __future__ import annotations

import os
import pickle
import shutil
from pathlib import Path

import markupsafe
import pytest

from digest.bodies import Bodies, LazyBody
from digest.build import Builder, build
from tests.conftest import article
from tests.test_cache import make, tree

# A custom article template that uses the body in every way a template may.
STRING_USES = """{% extends "default:article.html" %}
{% block main %}{{ super() }}
<p id="uses">{{ article.body_html|length }} {{ article.body_html[:12] }} {{ article.body_html }}
{{ article.body_html|striptags|truncate(30) }} {{ (article.body_html ~ "!")|e }}
{{ "bdi" in article.body_html }} {{ article.body_html.count("<p>") }}
{% if article.body_html %}yes{% endif %} {{ article.body_html|upper|safe }}</p>
{% endblock %}
"""


def clean_output(root: Path, elsewhere: Path) -> dict[str, bytes]:
    """Build a copy of the site (content, templates, settings) with no cache and return its output."""
    for name in ("content", "templates"):
        if (root / name).is_dir():
            shutil.copytree(root / name, elsewhere / name)
    if (root / "digest.toml").is_file():
        shutil.copy(root / "digest.toml", elsewhere / "digest.toml")
    build(elsewhere, cache=False)
    return tree(elsewhere / "site")


def edit(root: Path, n: int) -> None:
    """Rewrite article ``n`` with a new body (same day and topic)."""
    (root / f"content/n{n}.md").write_text(
        article(f"خبر شماره‌ی {n}", f"1403-09-{n % 5 + 1:02d}T{n % 24:02d}:{n % 60:02d}", "سیاست",
                id=f"n{n}", body="متن تازه با <b>HTML</b> و Python."), encoding="utf-8")


def test_a_body_is_read_only_when_its_page_is_rendered(tmp_path):
    root = make(tmp_path / "s", count=30)
    (root / "digest.toml").write_text("[feeds]\ncontent = false\n", encoding="utf-8")  # feeds: no bodies
    build(root)
    edit(root, 3)
    result = Builder(root).rebuild()
    lazy = [a for a in result.site.articles if isinstance(a.body_html, LazyBody)]
    read = [a for a in lazy if a.body_html._value is not None]
    assert len(lazy) == 29                      # every cached article came without its body
    assert 0 < len(read) <= 6                   # the day of the edit: its pages and its body shard
    assert tree(root / "site") == clean_output(root, tmp_path / "clean")


def test_templates_see_a_lazy_body_as_the_string(tmp_path):
    root = make(tmp_path / "s")
    (root / "templates").mkdir()
    (root / "templates/article.html").write_text(STRING_USES, encoding="utf-8")
    build(root)
    (root / "templates/article.html").write_text(STRING_USES + "\n", encoding="utf-8")  # re-render all
    result = Builder(root).rebuild()
    assert any(isinstance(a.body_html, LazyBody) for a in result.site.articles)
    page = (root / "site" / result.site.articles[0].url.lstrip("/") / "index.html").read_text("utf-8")
    assert "&lt;p&gt;" in page                  # printed without |safe: escaped like a string
    assert tree(root / "site") == clean_output(root, tmp_path / "clean")


@pytest.mark.parametrize("damage", ["deleted", "garbage", "wrong-hash"])
def test_a_damaged_body_shard_is_read_from_the_sources(tmp_path, damage):
    root = make(tmp_path / "s")
    build(root)
    shards = sorted((root / ".digest-cache/bodies").glob("*.pickle"))
    assert shards
    for shard in shards:
        if damage == "deleted":
            shard.unlink()
        elif damage == "garbage":
            shard.write_bytes(os.urandom(40))
        else:
            data = pickle.loads(shard.read_bytes())
            data["bodies"] = {rel: ("0" * 40, "<p>not this body</p>") for rel in data["bodies"]}
            shard.write_bytes(pickle.dumps(data))
    (root / "templates").mkdir()
    (root / "templates/article.html").write_text('{% extends "default:article.html" %}\n', encoding="utf-8")
    build(root)                                 # every article page again: every body needed
    assert tree(root / "site") == clean_output(root, tmp_path / "clean")


def test_a_lazy_body_pickles_and_compares_as_its_string(tmp_path):
    bodies = Bodies(tmp_path, "k")
    bodies.save("1403-09-02", {"a.md": ("h1", "<p>متن</p>")})
    body = LazyBody(Bodies(tmp_path, "k"), "1403-09-02", "a.md", "h1")
    assert pickle.loads(pickle.dumps(body)) == "<p>متن</p>"
    assert type(pickle.loads(pickle.dumps(body))) is str
    assert body == "<p>متن</p>" and hash(body) == hash("<p>متن</p>")
    assert markupsafe.escape(body) == markupsafe.escape("<p>متن</p>")
    assert markupsafe.Markup(body) == "<p>متن</p>"


def test_a_body_that_is_gone_everywhere_is_a_clear_error(tmp_path):
    from digest.errors import ContentError

    body = LazyBody(Bodies(tmp_path, "k"), "1403-09-02", "a.md", "h1")
    with pytest.raises(ContentError, match="run the build again"):
        str(body)
