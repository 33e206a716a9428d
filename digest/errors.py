"""The errors digest raises, and the problems it reports without stopping.

DigestError                 anything the user can fix; ``str()`` names the place and the fix
  ConfigError               digest.toml: unknown key, bad value (all problems at once)
  ContentError              one input file: bad front matter, impossible date, undecodable bytes
  TemplateError             a template failed to load or render (file:line)
  OutputError               unsafe output folder, or writing the site failed
  ServeError                the preview server could not start (port in use, bad host)
  PublishError              deploying to a git branch failed (credentials redacted)
  MailError                 composing or sending an email failed

Problem                     a warning or per-file error collected during a build; the build goes
                            on without that file, and ``--strict`` turns any problem into failure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# The user-information part of a URL ("https://user:token@host", "https://token@host").
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s'\"<>]+@")


def redact(text: str) -> str:
    """Replace credentials written into URLs with ``***`` so no message can leak a token."""
    return _USERINFO.sub(r"\1***@", text)


def place(path: object = None, line: int | None = None) -> str:
    """Return ``path:line`` (or just ``path``), the prefix every message starts with."""
    if path is None:
        return ""
    return f"{path}:{line}" if line else str(path)


class DigestError(Exception):
    """A problem the user can fix; the message names file, line and what to do."""

    stage = "digest"

    def __init__(self, message: str, path: object = None, line: int | None = None,
                 hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.hint = hint

    def __str__(self) -> str:
        where = place(self.path, self.line)
        text = f"{where}: {self.message}" if where else self.message
        return f"{text} ({self.hint})" if self.hint else text


class ConfigError(DigestError):
    """digest.toml is invalid; ``problems`` holds every message found."""

    stage = "config"

    def __init__(self, problems: list[str], path: object = None):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems), path=path)


class ContentError(DigestError):
    """One article could not be read."""

    stage = "read"


class TemplateError(DigestError):
    """A template could not be loaded or rendered."""

    stage = "render"


class OutputError(DigestError):
    """The output folder is unsafe or could not be written."""

    stage = "write"


class ServeError(DigestError):
    """The preview server could not start."""

    stage = "serve"


class PublishError(DigestError):
    """Publishing failed; the message and hint never hold credentials (they are redacted here)."""

    stage = "publish"

    def __init__(self, message: str, path: object = None, line: int | None = None,
                 hint: str | None = None):
        super().__init__(redact(message), path, line, redact(hint) if hint else None)


class MailError(DigestError):
    """An email could not be composed or sent."""

    stage = "email"


@dataclass(frozen=True)
class Problem:
    """A warning or a per-file error found while building."""

    level: str          # "warning" or "error"
    message: str
    path: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = place(self.path, self.line)
        return f"{self.level}: {where}: {self.message}" if where else f"{self.level}: {self.message}"

    @classmethod
    def from_error(cls, err: DigestError) -> "Problem":
        """Turn a per-file error into a reported problem."""
        msg = f"{err.message} ({err.hint})" if err.hint else err.message
        return cls("error", msg, str(err.path) if err.path is not None else None, err.line)
