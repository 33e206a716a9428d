"""The per-file time limit: SIGALRM stops a file that takes too long to read (main thread only).

``time_limit`` guards one block; ``alarm_held`` keeps the handler installed around a loop of
such blocks, so that each one only arms and disarms the timer.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Any, Iterator


def _expire(signum: int, frame: Any) -> None:
    """Stop the block that ``time_limit`` guards."""
    if _ALARM["armed"]:  # an alarm that arrives late, between two files, stops nothing
        raise TimeoutError


# held: how many ``alarm_held`` blocks are open (while one is, ``_expire`` stays installed);
# armed: whether a ``time_limit`` block is running.
_ALARM = {"held": 0, "armed": False}


@contextmanager
def alarm_held() -> Iterator[None]:
    """Install the SIGALRM handler once for a block that reads many files under ``time_limit``."""
    # Swapping the handler in and out per file cost about 5 us of the 9-12 us a file spent in
    # time_limit (signal.signal turns each returned handler into an enum, raising and catching
    # ValueError); with the handler held, each file only arms and disarms the timer.
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return
    previous = signal.signal(signal.SIGALRM, _expire) if not _ALARM["held"] else None
    _ALARM["held"] += 1
    try:
        yield
    finally:
        _ALARM["held"] -= 1
        if not _ALARM["held"]:
            signal.signal(signal.SIGALRM, previous)


class time_limit:  # noqa: N801 - used as ``with time_limit(s):``, as when it was a generator
    """Raise TimeoutError if the block runs longer than ``seconds`` (main thread only)."""

    __slots__ = ("seconds", "armed", "swapped", "previous")

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def __enter__(self) -> None:
        """Arm the timer, installing the handler unless an ``alarm_held`` block holds it."""
        # A class, not a generator: contextlib's wrapper costs a few us a file.
        self.armed = threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")
        if not self.armed:
            return
        self.swapped = not _ALARM["held"]
        if self.swapped:
            self.previous = signal.signal(signal.SIGALRM, _expire)
        _ALARM["armed"] = True
        signal.setitimer(signal.ITIMER_REAL, self.seconds)

    def __exit__(self, *exc: object) -> None:
        """Disarm the timer and put back the handler found on entry."""
        if self.armed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            _ALARM["armed"] = False
            if self.swapped:
                signal.signal(signal.SIGALRM, self.previous)
