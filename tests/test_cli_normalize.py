"""digest normalize and digest eval-zwnj, run as real processes the way a shell pipeline runs them."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
from pathlib import Path

from tests.conftest import ROOT, write_site

ZWNJ = "\u200c"
# Without PYTHONUNBUFFERED, so the streaming test sees the buffering a user's shell would.
ENV = {**{k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}, "PYTHONPATH": str(ROOT)}
TIMEOUT = 60  # seconds; generous, for a loaded machine: loading the lexicon is the slow part

SAMPLE = (
    "رئیسجمهور روز سهشنبه گفت : « آتشبس برقرار است »\n"
    "قيمت نان در سال2019 تغییر نكرد ، اما اکنون گرانتر شده است.\r\n"
    "نشانی خبر: https://example.ir/fa/news/12 و ساعت 19:45\n"
    "```\n"
    "کد  ، دست نخورده مي ماند\n"
    "```\n"
    "\n"
    "آخرین خط بدون پایان"
)


def digest(*args: str, cwd: Path, data: bytes = b"") -> subprocess.CompletedProcess:
    """Run ``python -m digest ARGS`` in ``cwd`` with ``data`` on standard input."""
    return subprocess.run([sys.executable, "-m", "digest", *args], cwd=cwd, env=ENV, input=data,
                          capture_output=True, timeout=TIMEOUT)


def test_normalize_streams_each_line_before_input_ends(tmp_path):
    child = subprocess.Popen([sys.executable, "-m", "digest", "normalize"], cwd=tmp_path, env=ENV,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    lines: queue.Queue[bytes] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(ln) for ln in iter(child.stdout.readline, b"")],
                     daemon=True).start()
    try:
        child.stdin.write("آنها میگویند که کتابها رسید\n".encode())
        child.stdin.flush()
        first = lines.get(timeout=TIMEOUT)            # stdin is still open
        assert first.decode() == f"آنها می{ZWNJ}گویند که کتاب{ZWNJ}ها رسید\n"
        child.stdin.write("روز سهشنبه\n".encode())
        child.stdin.flush()
        assert lines.get(timeout=TIMEOUT).decode() == f"روز سه{ZWNJ}شنبه\n"
        child.stdin.close()
        assert child.wait(timeout=TIMEOUT) == 0
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        child.stdout.close()
        child.stderr.close()


def test_normalize_keeps_one_line_per_line_and_round_trips(tmp_path):
    source = tmp_path / "in.txt"
    source.write_bytes(SAMPLE.encode())
    once = digest("normalize", str(source), cwd=tmp_path)
    assert once.returncode == 0, once.stderr.decode()
    out = once.stdout.decode()
    assert out.count("\n") == SAMPLE.count("\n") and "\r\n" in out and not out.endswith("\n")
    lines = out.split("\n")
    assert lines[0] == f"رئیس{ZWNJ}جمهور روز سه{ZWNJ}شنبه گفت: «آتش{ZWNJ}بس برقرار است»"
    assert lines[1].startswith("قیمت نان در سال۲۰۱۹ تغییر نکرد، اما")
    assert "https://example.ir/fa/news/12" in lines[2] and "19:45" in lines[2]
    assert lines[4] == "کد  ، دست نخورده مي ماند"              # inside a code fence: untouched
    twice = digest("normalize", cwd=tmp_path, data=once.stdout)  # standard input this time
    assert twice.returncode == 0 and twice.stdout == once.stdout


def test_normalize_steps_can_be_switched_off_by_flag_or_config(tmp_path):
    text = "روز سهشنبه مي آيد\n".encode()
    assert digest("normalize", "--no-restore-zwnj", cwd=tmp_path, data=text).stdout.decode() == \
        f"روز سهشنبه می{ZWNJ}آید\n"
    assert digest("normalize", "--no-characters", "--no-join-affixes", cwd=tmp_path,
                  data=text).stdout.decode() == f"روز سه{ZWNJ}شنبه مي آيد\n"
    write_site(tmp_path, {"digest.toml": "[normalize]\nrestore_zwnj = false\n"})
    assert digest("normalize", cwd=tmp_path, data=text).stdout.decode() == f"روز سهشنبه می{ZWNJ}آید\n"
    write_site(tmp_path, {"digest.toml": "[normalize]\nrestore = false\n"})
    bad = digest("normalize", cwd=tmp_path, data=text)
    assert bad.returncode == 1 and "no option 'restore'" in bad.stderr.decode()


def test_normalize_names_the_line_that_is_not_utf8(tmp_path):
    (tmp_path / "bad.txt").write_bytes("سلام\n".encode() + "خبر\n".encode("cp1256"))
    run = digest("normalize", "bad.txt", cwd=tmp_path)
    assert run.returncode == 1
    assert "bad.txt:2: not UTF-8 text" in run.stderr.decode()
    assert run.stdout.decode() == "سلام\n"            # what came before is already out


def test_normalize_stops_quietly_when_the_reader_goes_away(tmp_path):
    (tmp_path / "big.txt").write_bytes("کتابها رسید\n".encode() * 200_000)
    child = subprocess.Popen([sys.executable, "-m", "digest", "normalize", "big.txt"], cwd=tmp_path,
                             env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    child.stdout.readline()
    child.stdout.close()                                  # like "| head -1"
    _, err = child.communicate(timeout=TIMEOUT)
    assert child.returncode == 0 and b"Traceback" not in err and b"BrokenPipe" not in err


def test_eval_zwnj_scores_correctly_spelled_files(tmp_path):
    write_site(tmp_path, {
        "texts/a.txt": f"او می{ZWNJ}گوید که کتاب{ZWNJ}ها رسید.\n",
        "texts/more/b.md": "این خبر هیچ واژه‌ی جداشده‌ای ندارد".replace("‌", "") + "\n",
    })
    run = digest("eval-zwnj", "texts", cwd=tmp_path)
    assert run.returncode == 0, run.stderr.decode()
    out = run.stdout.decode()
    assert out.startswith("2 files\n")
    assert "ZWNJ words:            2" in out           # می‌گوید and کتاب‌ها, counted by hand
    assert "recall:                100.00% (2/2)" in out
    assert "other words changed:" in out and "precision:" in out


def test_eval_zwnj_warns_without_zwnj_and_names_bad_files(tmp_path):
    write_site(tmp_path, {"plain.txt": "متن ساده\n", "old.txt": "خبر".encode("cp1256")})
    plain = digest("eval-zwnj", "plain.txt", cwd=tmp_path)
    assert plain.returncode == 0 and "hold no ZWNJ" in plain.stderr.decode()
    bad = digest("eval-zwnj", "old.txt", cwd=tmp_path)
    assert bad.returncode == 1 and "old.txt:1: not UTF-8" in bad.stderr.decode()
