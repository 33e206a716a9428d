"""The writer: skips identical bytes, removes stale files, and recovers interrupted writes."""

from __future__ import annotations

import json

import pytest

from digest.errors import OutputError
from digest.write import TMP_SUFFIX, Writer


def write(writer, files):
    """Write ``files`` as one all-or-nothing commit, the way a build does (begin, stage, commit)."""
    writer.begin(files)
    return writer.commit({rel: writer.stage(rel, data) for rel, data in files.items()})


def files_in(folder):
    """Return {relative path: bytes} of every file under folder."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_writes_then_skips_identical_bytes(tmp_path):
    writer = Writer(tmp_path / "out", tmp_path / "state")
    first = write(writer, {"index.html": b"a", "x/index.html": b"b"})
    assert (first.written, first.unchanged, first.removed) == (2, 0, 0)
    mtime = (tmp_path / "out/index.html").stat().st_mtime_ns
    second = write(writer, {"index.html": b"a", "x/index.html": b"c"})
    assert (second.written, second.unchanged) == (1, 1)
    assert (tmp_path / "out/index.html").stat().st_mtime_ns == mtime


def test_removes_stale_files_and_empty_folders(tmp_path):
    writer = Writer(tmp_path / "out", tmp_path / "state")
    write(writer, {"index.html": b"a", "deep/er/index.html": b"b"})
    stats = write(writer, {"index.html": b"a"})
    assert stats.removed == 1 and not (tmp_path / "out/deep").exists()


def test_without_a_manifest_compares_bytes_on_disk(tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out/index.html").write_bytes(b"same")
    (tmp_path / "out/old.html").write_bytes(b"stale")
    stats = write(Writer(tmp_path / "out", tmp_path / "state"), {"index.html": b"same"})
    assert (stats.written, stats.unchanged, stats.removed) == (0, 1, 1)


def test_interrupted_staging_is_undone(tmp_path):
    out, state = tmp_path / "out", tmp_path / "state"
    writer = Writer(out, state)
    write(writer, {"index.html": b"old"})
    (out / f".index.html{TMP_SUFFIX}").write_bytes(b"half")
    (state / "write-journal.json").write_text(json.dumps({"phase": "staging", "staged": [f".index.html{TMP_SUFFIX}"]}))
    writer.recover()
    assert files_in(out) == {"index.html": b"old"}


def test_interrupted_commit_is_finished(tmp_path):
    out, state = tmp_path / "out", tmp_path / "state"
    writer = Writer(out, state)
    write(writer, {"index.html": b"old", "gone.html": b"x"})
    (out / f".index.html{TMP_SUFFIX}").write_bytes(b"new")
    (state / "write-journal.json").write_text(json.dumps(
        {"phase": "commit", "moves": [[f".index.html{TMP_SUFFIX}", "index.html"]], "remove": ["gone.html"]}))
    writer.recover()
    assert files_in(out) == {"index.html": b"new"}


def test_without_a_manifest_a_file_behind_a_linked_folder_is_still_compared(tmp_path):
    # The scan does not enter a symlinked folder, so its files are not listed; the writer must
    # not take "not listed" for "not there" and stage over them.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "index.html").write_bytes(b"same")
    (tmp_path / "out").mkdir()
    (tmp_path / "out/linked").symlink_to(elsewhere)
    writer = Writer(tmp_path / "out", tmp_path / "state")
    writer.begin(["linked/index.html"])
    assert writer.stage("linked/index.html", b"same")[1] is False
    assert not (elsewhere / f".index.html{TMP_SUFFIX}").exists()


def test_staging_makes_missing_folders_and_writes_whole_files(tmp_path):
    writer = Writer(tmp_path / "out", tmp_path / "state")
    data = bytes(range(256)) * 4096   # 1 MB
    stats = write(writer, {"a/b/c/index.html": data, "a/index.html": b"x", "a/b/old.html": b""})
    assert stats.written == 3
    assert files_in(tmp_path / "out") == {"a/b/c/index.html": data, "a/index.html": b"x", "a/b/old.html": b""}


def test_a_new_output_folder_appears_whole_in_one_step(tmp_path):
    out = tmp_path / "public/site"   # its parent is missing too
    writer = Writer(out, tmp_path / "state")
    writer.begin(["index.html", "a/b/index.html"])
    staged = {"index.html": writer.stage("index.html", b"home"),
              "a/b/index.html": writer.stage("a/b/index.html", b"x")}
    assert not out.exists()   # nothing shows until the commit
    hidden = tmp_path / f"public/.site{TMP_SUFFIX}"
    assert files_in(hidden) == {"index.html": b"home", "a/b/index.html": b"x"}
    stats = writer.commit(staged)
    assert (stats.written, stats.unchanged, stats.removed) == (2, 0, 0)
    assert files_in(out) == {"index.html": b"home", "a/b/index.html": b"x"}
    assert not hidden.exists()
    assert write(Writer(out, tmp_path / "state"), {"index.html": b"home"}).unchanged == 1   # the manifest holds


def test_an_aborted_new_folder_leaves_nothing(tmp_path):
    writer = Writer(tmp_path / "out", tmp_path / "state")
    writer.begin(["index.html"])
    writer.stage("index.html", b"half")
    writer.abort()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state"]


def test_a_new_folder_left_by_a_killed_build_is_removed_next_time(tmp_path):
    left = tmp_path / f".out{TMP_SUFFIX}"
    (left / "x").mkdir(parents=True)
    (left / "x/index.html").write_bytes(b"half")
    write(Writer(tmp_path / "out", tmp_path / "state"), {"index.html": b"a"})
    assert not left.exists() and files_in(tmp_path / "out") == {"index.html": b"a"}


def test_an_output_folder_made_during_the_build_is_left_alone(tmp_path):
    out = tmp_path / "out"
    writer = Writer(out, tmp_path / "state")
    writer.begin(["index.html"])
    staged = {"index.html": writer.stage("index.html", b"ours")}
    out.mkdir()
    (out / "theirs.html").write_bytes(b"theirs")   # someone else's folder, made meanwhile
    with pytest.raises(OutputError, match="build again"):
        writer.commit(staged)
    assert files_in(out) == {"theirs.html": b"theirs"}
    assert not (tmp_path / f".out{TMP_SUFFIX}").exists()


def test_a_new_folder_that_cannot_be_made_is_an_output_error(tmp_path):
    (tmp_path / "file").write_bytes(b"not a folder")
    writer = Writer(tmp_path / "file/out", tmp_path / "state")   # its parent is a file
    with pytest.raises(OutputError, match="could not make") as caught:
        writer.begin(["index.html"])
    assert caught.value.hint
