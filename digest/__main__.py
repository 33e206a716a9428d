"""Run the command line with ``python -m digest``."""

from digest.cli import run

run()
