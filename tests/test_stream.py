"""The line-by-line normalizer behind ``digest normalize``, and when it flushes."""

from __future__ import annotations

import io
import os

import pytest

from digest.errors import ConfigError, ContentError
from digest.persian import NormalizeOptions
from digest.stream import normalize_line, normalize_stream, options_for, read_texts, wants_flush_per_line
from tests.conftest import write_site

ZWNJ = "\u200c"


def run(data: bytes, options: NormalizeOptions = NormalizeOptions()) -> tuple[bytes, int]:
    """Normalize ``data`` through the stream function; return the output and the line count."""
    out = io.BytesIO()
    count = normalize_stream(io.BytesIO(data), out, options)
    return out.getvalue(), count


def test_line_ends_and_missing_last_end_are_kept():
    out, count = run("\ufeffمي آيد\r\nكتاب\n\nآخر".encode())
    assert count == 4
    assert out.decode() == f"می{ZWNJ}آید\r\nکتاب\n\nآخر"        # BOM dropped, each end as it was


def test_code_fences_pass_through():
    text = "```\nمي آيد\n```\nمي آيد\n"
    assert run(text.encode())[0].decode() == f"```\nمي آيد\n```\nمی{ZWNJ}آید\n"
    assert normalize_line("``` ی", NormalizeOptions(), False) == ("``` ی", True)
    assert normalize_line("`a` ```b```", NormalizeOptions(), False)[1] is False


def test_a_bad_line_is_named():
    with pytest.raises(ContentError) as err:
        run("خوب\n".encode() + b"\xff\n", NormalizeOptions())
    assert (err.value.path, err.value.line) == ("<stdin>", 2)


def test_flush_per_line_for_pipes_not_for_files(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"x\n")
    read_end, write_end = os.pipe()
    with open(path, "rb") as regular, open(read_end, "rb") as pipe, open(write_end, "wb") as out, \
            open(tmp_path / "out.txt", "wb") as file_out:
        assert wants_flush_per_line(pipe, out) is True           # input arrives bit by bit
        assert wants_flush_per_line(regular, file_out) is False  # a file to a file: buffer
        assert wants_flush_per_line(regular, out) is False
    assert wants_flush_per_line(io.BytesIO(), io.BytesIO()) is False


def test_options_from_config_and_flags(tmp_path):
    assert options_for(tmp_path) == NormalizeOptions()
    write_site(tmp_path, {"digest.toml": "[normalize]\ndigits = false\n"})
    assert options_for(tmp_path, ["restore_zwnj"]) == NormalizeOptions(digits=False, restore_zwnj=False)
    write_site(tmp_path, {"digest.toml": "[normalize]\ndigits = 'no'\n"})
    with pytest.raises(ConfigError):
        options_for(tmp_path)


def test_read_texts_walks_folders(tmp_path):
    write_site(tmp_path, {"t/a.txt": "الف", "t/b/c.md": "ب", "t/d.json": "{}"})
    assert [text for _, text in read_texts([tmp_path / "t"])] == ["الف", "ب"]
