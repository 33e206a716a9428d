"""Run the command line with ``python -m digest``."""

import os
import sys

from digest import cli

code = cli.main()
if cli.FINISHED:
    # A build leaves tens of thousands of objects that the interpreter would free one by one at
    # exit (0.04 s after a one-article edit, 0.08 s after a cold build of 10,000 articles), and
    # nothing that needs cleaning up: flush what was printed and leave.
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        code = code or 1   # as the normal exit does when it cannot flush
    os._exit(code)
sys.exit(code)
