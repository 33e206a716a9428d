"""The send log survives crashes and keeps two runs of one digest apart."""

from __future__ import annotations

import pytest

from digest.errors import MailError
from digest.mail.sendlog import SendLog


def test_last_entry_wins_and_case_is_ignored(tmp_path):
    with SendLog(tmp_path, "1403-09-02") as log:
        log.write("A@example.org", "sending")
        log.write("a@example.org", "sent")
        log.write("b@example.org", "sending")
    state = SendLog(tmp_path, "1403-09-02").state()
    assert state["a@example.org"]["status"] == "sent" and state["b@example.org"]["status"] == "sending"


def test_torn_last_line_is_ignored_but_a_broken_middle_line_is_an_error(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text('{"recipient": "a@example.org", "status": "sent", "time": "t"}\n{"recipient": "b@ex', encoding="utf-8")
    assert list(SendLog(tmp_path, "d").state()) == ["a@example.org"]
    path.write_text('garbage\n{"recipient": "a@example.org", "status": "sent", "time": "t"}\n', encoding="utf-8")
    with pytest.raises(MailError) as err:
        SendLog(tmp_path, "d").state()
    assert err.value.line == 1


def test_a_second_run_of_the_same_digest_is_refused(tmp_path):
    with SendLog(tmp_path, "d"):
        with pytest.raises(MailError, match="another"):
            SendLog(tmp_path, "d").open()
