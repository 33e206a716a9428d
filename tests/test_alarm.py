"""Tests for the per-file time limit and the handler held around a loop of files."""

from __future__ import annotations

import signal
import time

import pytest

from digest.alarm import alarm_held, time_limit


def test_time_limit_inside_alarm_held_stops_a_file_and_the_handler_comes_back():   # case 11
    def mine(signum, frame):
        raise AssertionError("the caller's handler ran inside the guarded block")

    before = signal.signal(signal.SIGALRM, mine)
    try:
        with alarm_held():
            with time_limit(5):
                pass   # a file read in time leaves the handler for the next one
            deadline = time.monotonic() + 5
            with pytest.raises(TimeoutError):
                with time_limit(0.05):
                    while time.monotonic() < deadline:
                        pass
            assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
            signal.raise_signal(signal.SIGALRM)  # an alarm arriving late, between two files
        assert signal.getsignal(signal.SIGALRM) is mine
        with time_limit(5):
            assert signal.getsignal(signal.SIGALRM) is not mine
        assert signal.getsignal(signal.SIGALRM) is mine
    finally:
        signal.signal(signal.SIGALRM, before)
