"""``digest email``: pick the digest, render it, then write .eml files or send them."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from digest import config as config_mod
from digest.assemble import assemble
from digest.build import read_all
from digest.config import Config
from digest.errors import MailError
from digest.mail import compose, period, recipients as recipients_mod, settings as settings_mod
from digest.mail.period import Digest
from digest.mail.send import SendReport, send_all
from digest.mail.sendlog import SendLog
from digest.model import Site


@dataclass
class EmailResult:
    """What ``digest email`` did."""

    digest: Digest
    rendered: compose.Rendered
    recipients: list[str]
    written: list[Path] = field(default_factory=list)
    report: SendReport | None = None
    warnings: list[str] = field(default_factory=list)


def choose(site: Site, date: str | None = None, week: str | None = None) -> Digest:
    """Return the digest of ``--date``, ``--week`` or (neither) the latest day."""
    if date and week:
        raise MailError("give --date or --week, not both")
    if date:
        return period.for_day(site, period.parse_day(date))
    if week:
        return period.for_week(site, *period.parse_week(week))
    return period.latest(site)


def outbox_name(n: int, address: str) -> str:
    """Return a safe .eml file name for the n-th recipient."""
    return f"{n:05d}-{re.sub(r'[^A-Za-z0-9@._-]', '_', address)}.eml"


def run(root: Path, *, date: str | None = None, week: str | None = None, to: list[str] = (),
        recipients_file: Path | None = None, outbox: Path | None = None, send: bool = False,
        dry_run: bool = False, overrides: dict[str, Any] | None = None, config: Config | None = None,
        progress: Callable[[str], None] | None = None, now: dt.datetime | None = None) -> EmailResult:
    """Render a digest and write it to the outbox, or send it (``send``); ``dry_run`` does neither."""
    config = config or config_mod.load(root, overrides)
    settings = settings_mod.load(config)
    compose.absolute_base(config)
    if to and recipients_file:
        raise MailError("give --to or --recipients, not both")
    if recipients_file:
        readers = recipients_mod.read_file(recipients_file)
    else:
        readers = recipients_mod.check_all([(None, a) for a in to])
    if send and not readers:
        raise MailError("--send needs recipients", hint="add --to ADDR or --recipients FILE")
    if not readers:
        readers = [settings.sender]                 # a preview addressed to the sender
    secret = compose.unsubscribe_secret(settings)
    articles, problems = read_all(config)
    site = assemble(articles, config, problems)
    digest = choose(site, date, week)
    rendered = compose.render(site, digest, config, settings)
    result = EmailResult(digest, rendered, readers, warnings=list(rendered.warnings))
    compose.message(rendered, settings, readers[0], now=now, secret=secret)   # fail before sending any
    if dry_run:
        return result
    if send:
        log = SendLog(config.cache_dir / "sendlog", digest.id)
        result.report = send_all(rendered, settings, readers, log, secret=secret, progress=progress)
        return result
    folder = (outbox or config.cache_dir / "outbox") / digest.id
    folder.mkdir(parents=True, exist_ok=True)
    for n, r in enumerate(readers, 1):
        path = folder / outbox_name(n, r)
        path.write_bytes(compose.message(rendered, settings, r, now=now, secret=secret).as_bytes())
        result.written.append(path)
    return result
