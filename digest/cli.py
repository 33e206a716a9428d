"""The command line: parse flags, call the library, map DigestError to an exit code.

Exit codes: 0 success (warnings are printed), 1 a DigestError (the message names the place),
2 a usage error.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from digest import __version__
from digest.errors import ConfigError, DigestError, redact


def _say(message: str) -> None:
    """Print a progress or summary line on standard error (credentials in URLs redacted)."""
    print(redact(message), file=sys.stderr, flush=True)


# Commands that finished with nothing left to clean up at exit (no server, thread, temporary
# folder or child process), with what they leave: ``run`` then skips freeing their objects one by one.
FINISHED: dict[str, object] = {}


def cmd_build(args: argparse.Namespace) -> int:
    """Build the site once and print a summary."""
    import gc

    from digest.build import Builder

    # One build, then the exit: the collector, which a build pauses anyway (Builder.rebuild), would
    # only walk what the build made once it returns (9 ms at 10,000 articles).
    gc.disable()

    overrides = {}
    if args.base_url is not None:
        overrides["base_url"] = args.base_url
    if args.output is not None:
        overrides["output"] = args.output
    builder = Builder(Path(args.root), overrides=overrides, progress=None if args.quiet else _say,
                      clean=args.clean)
    result = builder.rebuild(strict=args.strict)
    for problem in result.problems:
        _say(str(problem))
    articles, topics, days = result.counts
    warnings = sum(p.level == "warning" for p in result.problems)
    errors = len(result.problems) - warnings
    stats = result.stats
    if not args.quiet:
        print(f"built {result.pages} pages ({len(result.rendered)} rendered) from {articles} articles, "
              f"{topics} topics, {days} days in {result.seconds:.2f} s: {stats.written} written, "
              f"{stats.unchanged} unchanged, {stats.removed} removed; {warnings} warnings, {errors} errors")
        print(f"open {Path(args.root).resolve() / (args.output or 'site') / 'index.html'}"
              if args.output is None else f"output: {args.output}")
    if args.stats:
        from digest import stats as stats_mod

        for line in stats_mod.report(stats_mod.measure_site(result.output, result.templates)):
            print(line)
    # Kept until the exit: freeing the builder's state object by object took 0.03 s at 10,000 articles.
    FINISHED["build"] = builder
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


def cmd_deploy(args: argparse.Namespace) -> int:
    """Build cleanly and publish the site to a git branch."""
    from digest.publish import deploy

    overrides = {"base_url": args.base_url} if args.base_url is not None else {}
    result = deploy(Path(args.root), remote=args.remote, branch=args.branch, strict=args.strict,
                    overrides=overrides, push=not args.dry_run, say=_say)
    print(f"{result.status} {result.commit} {result.branch}")
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    """Create a new site folder ready to build."""
    from digest.scaffold import scaffold

    made = scaffold(Path(args.path), templates=args.templates)
    for path in made:
        _say(f"created {path}")
    print(f"next: cd {args.path} && digest build")
    return 0


def _progress_line(message: str) -> None:
    """Rewrite one status line on a terminal, or print lines when redirected."""
    if sys.stderr.isatty():
        print(f"\r{message}\x1b[K", end="", file=sys.stderr, flush=True)
    else:
        _say(message)


def cmd_email(args: argparse.Namespace) -> int:
    """Write the digest email to the outbox, or send it, and print a summary."""
    from digest.mail.run import run

    overrides = {"base_url": args.base_url} if args.base_url else None
    result = run(Path(args.root), date=args.date, week=args.week, to=args.to or [],
                 recipients_file=Path(args.recipients) if args.recipients else None,
                 outbox=Path(args.outbox) if args.outbox else None, send=args.send,
                 dry_run=args.dry_run, overrides=overrides, progress=_progress_line)
    if result.report is not None and sys.stderr.isatty():
        print(file=sys.stderr)
    for warning in result.warnings:
        _say(f"warning: {warning}")
    d, r = result.digest, result.rendered
    print(f"digest {d.id}: {d.count} of {d.total} articles in {len(d.sections)} topics, "
          f"HTML {r.html_bytes / 1024:.1f} KB, subject: {r.subject}")
    if args.dry_run:
        print(f"dry run: {len(result.recipients)} message(s) composed; nothing written or sent")
        return 0
    if result.report is None:
        folder = result.written[0].parent if result.written else "-"
        print(f"wrote {len(result.written)} message(s) to {folder}; add --send to deliver")
        return 0
    rep = result.report
    print(f"sent {len(rep.sent)}, skipped {len(rep.skipped)}, failed {len(rep.failed)}"
          f" ({rep.retries} retries)")
    for who, why in rep.skipped:
        print(f"  skipped {who}: {why}")
    for who, why in rep.failed:
        print(f"  failed {who}: {why}")
    return 1 if rep.failed else 0


def cmd_import(args: argparse.Namespace) -> int:
    """Import scraped pages and JSON exports as Markdown articles and report what happened."""
    from digest import config as config_mod
    from digest.importer import import_sources

    config = config_mod.load(Path(args.root))
    into = Path(args.into) if args.into else Path(args.root) / config.content
    report = import_sources([Path(s) for s in args.sources], config, into,
                            force=args.force, dry_run=args.dry_run)
    for line in report.lines(verbose=not args.quiet):
        print(line)
    for problem in report.errors:
        _say(str(problem))
    print(report.summary(args.dry_run))
    return 1 if report.errors else 0


def cmd_normalize(args: argparse.Namespace) -> int:
    """Normalize a file or standard input line by line onto standard output."""
    import os

    from digest.normopts import STEPS
    from digest.stream import normalize_stream, options_for, wants_flush_per_line

    options = options_for(Path("."), [step for step in STEPS if getattr(args, f"no_{step}")])
    out = sys.stdout.buffer
    try:
        if args.file and args.file != "-":
            try:
                infile = open(args.file, "rb")
            except OSError as err:
                raise DigestError(f"could not read: {err.strerror or err}", path=args.file) from None
            with infile:
                normalize_stream(infile, out, options, args.file, wants_flush_per_line(infile, out))
        else:
            stdin = sys.stdin.buffer
            normalize_stream(stdin, out, options, "<stdin>", wants_flush_per_line(stdin, out))
    except BrokenPipeError:
        # The reader went away (``| head``): stop quietly, and keep Python from complaining at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def cmd_eval_zwnj(args: argparse.Namespace) -> int:
    """Score the ZWNJ restorer on text files whose ZWNJs are right."""
    from digest.stream import read_texts
    from digest.zwnj_eval import evaluate

    names: list[str] = []

    def texts():
        """Yield each file's text, remembering its name for the summary."""
        for name, text in read_texts(Path(f) for f in args.files):
            names.append(name)
            yield text

    score = evaluate(texts(), visible_only=args.visible)
    print(f"{len(names)} files")
    print(score.report(args.show))
    if not score.zwnj_words:
        _say("warning: these files hold no ZWNJ, so there was nothing to restore; "
             "score text that is spelled with ZWNJs (می‌شود, کتاب‌ها)")
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
    b.add_argument("--clean", action="store_true",
                   help="ignore and clear the build cache (.digest-cache/): a full, cold build")
    b.add_argument("--stats", action="store_true",
                   help="after the build, print page weights (HTML, CSS, fonts; raw/gzip) per kind of page")
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
    d = sub.add_parser("deploy", help="build cleanly and push the site to a git branch (gh-pages)")
    d.add_argument("--root", default=".", help="the site folder (holding content/ and digest.toml)")
    d.add_argument("--remote", help="git remote name or URL (default: [deploy] remote, else origin)")
    d.add_argument("--branch", help="branch to publish to (default: [deploy] branch, else gh-pages)")
    d.add_argument("--base-url", help="override base_url from digest.toml")
    d.add_argument("--strict", action="store_true", help="refuse to publish when the build has warnings")
    d.add_argument("--dry-run", action="store_true", help="build and commit, but do not push")
    d.set_defaults(func=cmd_deploy)
    n = sub.add_parser("new", help="create a new site folder with an example article")
    n.add_argument("path", help="the folder to create (it may exist if it is empty)")
    n.add_argument("--templates", action="store_true", help="also copy the default templates to edit")
    n.set_defaults(func=cmd_new)
    e = sub.add_parser("email", help="email a day's or week's digest (writes .eml files unless --send)")
    e.add_argument("--root", default=".", help="the site folder (holding content/ and digest.toml)")
    which = e.add_mutually_exclusive_group()
    which.add_argument("--date", help="a Jalali day, 1403-09-02 (Persian digits too)")
    which.add_argument("--week", help="a Saturday-to-Friday Jalali week, 1403-W36 (week 1 holds 1 Farvardin)")
    which.add_argument("--latest", action="store_true", help="the newest day with articles (the default)")
    whom = e.add_mutually_exclusive_group()
    whom.add_argument("--to", action="append", metavar="ADDR", help="a recipient (repeatable)")
    whom.add_argument("--recipients", metavar="FILE", help="one address a line, or a CSV with an 'email' column")
    e.add_argument("--outbox", metavar="DIR", help="where .eml files go (default .digest-cache/outbox)")
    e.add_argument("--send", action="store_true", help="deliver over SMTP ([email] in digest.toml)")
    e.add_argument("--dry-run", action="store_true", help="compose and check everything; write and send nothing")
    e.add_argument("--base-url", help="override base_url from digest.toml (must be absolute)")
    e.set_defaults(func=cmd_email)
    _text_commands(sub)
    return p


def _text_commands(sub: argparse._SubParsersAction) -> None:
    """Add the subcommands that import and normalize Persian text."""
    from digest.normopts import STEPS

    i = sub.add_parser("import", help="turn scraped pages (.txt) and JSON / JSON Lines exports into articles")
    i.add_argument("sources", nargs="+", metavar="SOURCE", help="files or folders (searched recursively)")
    i.add_argument("--root", default=".", help="the site folder (holding digest.toml)")
    i.add_argument("--into", metavar="DIR", help="where articles go (default: the site's content folder)")
    i.add_argument("--force", action="store_true", help="overwrite articles edited since they were imported")
    i.add_argument("--dry-run", action="store_true", help="report what would happen; write nothing")
    i.add_argument("-q", "--quiet", action="store_true", help="do not list unchanged articles")
    i.set_defaults(func=cmd_import)
    n = sub.add_parser("normalize", help="normalize Persian text line by line (a file or standard input)")
    n.add_argument("file", nargs="?", metavar="FILE", help="the text to read (default: standard input)")
    for step in STEPS:
        n.add_argument(f"--no-{step.replace('_', '-')}", dest=f"no_{step}", action="store_true",
                       help=f"switch the {step} step off")
    n.set_defaults(func=cmd_normalize)
    z = sub.add_parser("eval-zwnj", help="score the ZWNJ restorer on your own correctly spelled text")
    z.add_argument("files", nargs="+", metavar="FILE", help="UTF-8 text files (or folders of .txt/.md) with correct ZWNJs")
    z.add_argument("--visible", action="store_true",
                   help="ignore ZWNJs after letters that never join (they change nothing on screen)")
    z.add_argument("--show", type=int, default=0, metavar="N", help="list the N most frequent errors of each kind")
    z.set_defaults(func=cmd_eval_zwnj)


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
        for problem in getattr(err, "problems", ()):
            _say(str(problem))
        _say(f"error: {err.stage}: {err}")
        return 1
    except KeyboardInterrupt:
        _say("interrupted")
        return 130


def run() -> None:
    """Run the command line as a program (``digest`` and ``python -m digest``) and exit."""
    code = main()
    if FINISHED:
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
