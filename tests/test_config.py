"""digest.toml: defaults, every problem reported at once, unknown keys named."""

from __future__ import annotations

import pytest

from digest import config
from digest.errors import ConfigError


def test_a_folder_without_config_gets_defaults(tmp_path):
    conf = config.load(tmp_path)
    assert conf.title and conf.per_page == 20 and conf.timezone == "Asia/Tehran"
    assert conf.output_dir == (tmp_path / "site").resolve()
    assert conf.base_path == "/"


def test_values_are_read(tmp_path):
    (tmp_path / "digest.toml").write_text(
        'title = "اخبار"\nbase_url = "https://user.github.io/repo"\nper_page = 5\n'
        '[[topics]]\nname = "بین‌الملل"\nslug = "world"\naliases = ["جهان"]\n', encoding="utf-8")
    conf = config.load(tmp_path)
    assert conf.title == "اخبار" and conf.per_page == 5
    assert conf.base_path == "/repo/"
    assert conf.topics[0] == config.TopicConfig("بین‌الملل", "world", ("جهان",))


def test_every_problem_is_reported_with_its_key(tmp_path):
    (tmp_path / "digest.toml").write_text(
        'titel = "x"\nper_page = "ten"\nindex_days = 0\ntimezone = "Mars/Olympus"\n'
        'base_url = "not a url"\n[[topics]]\nname = "ورزش"\nslug = "Sport!"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        config.load(tmp_path)
    text = "\n".join(caught.value.problems)
    for key in ("'titel'", "per_page", "index_days", "timezone", "base_url", "topics[1].slug"):
        assert key in text
    assert len(caught.value.problems) == 6
    assert str(caught.value.path).endswith("digest.toml")


def test_invalid_toml_names_the_file(tmp_path):
    (tmp_path / "digest.toml").write_text('title = "unclosed\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        config.load(tmp_path)


def test_feature_tables_pass_through(tmp_path):
    (tmp_path / "digest.toml").write_text('[email]\nfrom = "a@example.com"\n', encoding="utf-8")
    assert config.load(tmp_path).extra["email"] == {"from": "a@example.com"}


def test_duplicate_topic_slugs_are_refused(tmp_path):
    (tmp_path / "digest.toml").write_text(
        '[[topics]]\nname = "الف"\nslug = "a"\n[[topics]]\nname = "ب"\nslug = "a"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="used twice"):
        config.load(tmp_path)
