"""The send log: one JSON line per attempt, so a restarted run never mails anyone twice.

``.digest-cache/sendlog/<digest id>.jsonl`` gets a ``sending`` line (flushed to disk) before a
message goes to the server and a ``sent``/``failed``/``uncertain`` line after. A reader whose last
line is ``sent``, ``sending`` (the run died mid-message) or ``uncertain`` (the connection dropped
mid-message) is skipped by later runs: at most once, never twice. ``failed`` means the server
refused the message, so a later run tries again.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import IO

from digest.errors import MailError

DONE = ("sent", "sending", "uncertain")

try:                                   # POSIX: one sending run per digest at a time
    import fcntl
except ImportError:                    # pragma: no cover - Windows has no fcntl
    fcntl = None


def key(address: str) -> str:
    """Return the log key of an address (case does not make a new reader)."""
    return address.strip().lower()


class SendLog:
    """An append-only JSON-lines log for one digest."""

    def __init__(self, folder: Path, digest_id: str):
        self.path = folder / f"{digest_id}.jsonl"
        self._file: IO[str] | None = None

    def state(self) -> dict[str, dict]:
        """Return the last entry of each recipient; a torn last line (from a crash) is ignored."""
        last: dict[str, dict] = {}
        if not self.path.exists():
            return last
        with self.path.open(encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                try:
                    entry = json.loads(line)
                    last[key(entry["recipient"])] = entry
                except (ValueError, KeyError, TypeError):
                    if line.endswith("\n"):
                        raise MailError("send log line is not valid JSON; fix or remove it",
                                        path=self.path, line=n) from None
        return last

    def open(self) -> "SendLog":
        """Open the log for appending and lock it against a second run of the same digest."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = self.path.open("a", encoding="utf-8")
        if fcntl is not None:
            try:
                fcntl.flock(self._file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                self._file.close()
                self._file = None
                raise MailError("another 'digest email --send' is sending this digest right now",
                                path=self.path, hint="wait for it to finish") from None
        return self

    def close(self) -> None:
        """Release the lock and close the file."""
        if self._file is not None:
            self._file.close()
            self._file = None

    def __enter__(self) -> "SendLog":
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def write(self, recipient: str, status: str, reason: str = "", message_id: str = "") -> None:
        """Append one entry and push it to disk before anything else happens."""
        assert self._file is not None, "open the log first"
        entry = {"time": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                 "recipient": key(recipient), "status": status}
        if reason:
            entry["reason"] = reason
        if message_id:
            entry["message_id"] = message_id
        self._file.write(json.dumps(entry, ensure_ascii=False) + "\n")
        self._file.flush()
        os.fsync(self._file.fileno())
