"""Messages that must never carry credentials."""

from __future__ import annotations

import pytest

from digest.errors import PublishError, redact


@pytest.mark.parametrize("text, expected", [
    ("https://user:tok3n@github.com/o/r.git", "https://***@github.com/o/r.git"),
    ("https://tok3n@github.com/o/r.git", "https://***@github.com/o/r.git"),
    ("fatal: unable to access 'http://u:p@ss@127.0.0.1:9/r/': refused", "fatal: unable to access 'http://***@127.0.0.1:9/r/': refused"),
    ("git@github.com:o/r.git and https://github.com/o/r", "git@github.com:o/r.git and https://github.com/o/r"),
    ("mail me at a@b.org", "mail me at a@b.org"),
])
def test_redact_removes_userinfo_only(text, expected):
    assert redact(text) == expected


def test_publish_errors_redact_themselves():
    err = PublishError("push to https://x:tok3n@host/r failed", hint="check https://tok3n@host/r")
    assert "tok3n" not in str(err) and "tok3n" not in err.message and "tok3n" not in err.hint
