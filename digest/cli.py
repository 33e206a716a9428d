"""The command line: parse flags, call the library, map DigestError to an exit code.

Exit codes: 0 success (warnings are printed), 1 a DigestError (the message names the place),
2 a usage error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from digest import __version__
from digest.errors import ConfigError, DigestError


def _say(message: str) -> None:
    """Print a progress or summary line on standard error."""
    print(message, file=sys.stderr, flush=True)


def cmd_build(args: argparse.Namespace) -> int:
    """Build the site once and print a summary."""
    from digest.build import build

    overrides = {}
    if args.base_url is not None:
        overrides["base_url"] = args.base_url
    if args.output is not None:
        overrides["output"] = args.output
    result = build(Path(args.root), strict=args.strict, overrides=overrides,
                   progress=None if args.quiet else _say)
    for problem in result.problems:
        _say(str(problem))
    site = result.site
    warnings = sum(p.level == "warning" for p in result.problems)
    errors = len(result.problems) - warnings
    stats = result.stats
    if not args.quiet:
        print(f"built {result.pages} pages from {len(site.articles)} articles, {len(site.topics)} topics, "
              f"{len(site.days)} days in {result.seconds:.2f} s: {stats.written} written, "
              f"{stats.unchanged} unchanged, {stats.removed} removed; {warnings} warnings, {errors} errors")
        print(f"open {Path(args.root).resolve() / (args.output or 'site') / 'index.html'}"
              if args.output is None else f"output: {args.output}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Build, serve on loopback, rebuild on change and reload open pages until Ctrl+C."""
    from digest.serve import Preview

    preview = Preview(Path(args.root), host=args.host, port=args.port, say=_say, polling=args.poll)
    try:
        preview.start()
        if args.open:
            preview.open_browser()
        preview.run()
    except KeyboardInterrupt:   # Ctrl+C is how a preview ends, even before the loop began
        preview.close()
    _say("stopped")
    return 0


def parser() -> argparse.ArgumentParser:
    """Return the argument parser with every subcommand."""
    p = argparse.ArgumentParser(prog="digest", description="Persian right-to-left news digests.")
    p.add_argument("--version", action="version", version=f"digest {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    b = sub.add_parser("build", help="build the site from content/ into site/")
    b.add_argument("--root", default=".", help="the site folder (holding content/ and digest.toml)")
    b.add_argument("--strict", action="store_true", help="fail (exit 1, write nothing) on any warning or error")
    b.add_argument("--base-url", help="override base_url from digest.toml")
    b.add_argument("--output", help="override the output folder")
    b.add_argument("-q", "--quiet", action="store_true", help="print only problems")
    b.set_defaults(func=cmd_build)
    s = sub.add_parser("serve", help="preview the site: rebuild on every save and reload the browser")
    s.add_argument("--root", default=".", help="the site folder (holding content/ and digest.toml)")
    s.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1; anything else is reachable by others)")
    s.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 picks any free port)")
    s.add_argument("--open", action="store_true", help="open the preview in the default browser")
    s.add_argument("--poll", action="store_true", help="find changes by polling (network or odd file systems)")
    s.set_defaults(func=cmd_serve)
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the command line and return the exit code."""
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except ConfigError as err:
        _say(f"error: {err.path}:")
        for problem in err.problems:
            _say(f"  {problem}")
        return 1
    except DigestError as err:
        _say(f"error: {err.stage}: {err}")
        return 1
    except KeyboardInterrupt:
        _say("interrupted")
        return 130
