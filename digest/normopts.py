"""The normalizer's switches, kept apart from the normalizer so that reading them (the CLI's
``--no-STEP`` flags, the config check) does not load its tables and lexicon."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields

from .errors import ConfigError


@dataclass(frozen=True)
class NormalizeOptions:
    """Switch each step of ``normalize`` on or off (all on by default).

    The site config exposes the same names as a ``[normalize]`` table of booleans:

    ``characters``
        Arabic ي ى ك → Persian ی ک; Arabic presentation forms (U+FB50-FDFF, U+FE70-FEFE) through
        NFKC, only on those code points; drop kashida (ـ), BOMs and zero-width spaces.
    ``digits``
        Arabic-Indic digits (٠-٩) → Persian (۰-۹); Latin digits glued to a Persian letter (inside a
        Persian word, ``سال2019``) → Persian. Free-standing Latin numbers keep their digits: they
        may be machine values, and display digits are the templates' choice.
    ``punctuation``
        No space before ، ؛ ؟ and exactly one after (none inside a number: ۱۲،۵); « and » hug
        what they quote, with a space outside them; no space between a Persian word and a
        following . : ! (Latin punctuation elsewhere is left alone).
    ``zwnj_cleanup``
        Collapse repeated ZWNJs; drop a ZWNJ that is not between two letters (next to a space,
        punctuation, a digit or an end of the text).
    ``join_affixes``
        Join affixes written with a space by a ZWNJ where safe: ``می شود`` → ``می‌شود``,
        ``نمی دانم``, ``کتاب ها`` → ``کتاب‌ها``, ``بزرگ ترین``; only when the stem is a known word.
    ``restore_zwnj``
        Put back ZWNJs lost inside glued words (``میافزاید`` → ``می‌افزاید``,
        ``رئیسجمهور`` → ``رئیس‌جمهور``) from the mined lexicon and affix rules.

    URLs, e-mail addresses, code spans, Latin words and digit machine values (``2024-11-22T19:45``,
    ``1403/09``) are never touched by any step.
    """

    characters: bool = True
    digits: bool = True
    punctuation: bool = True
    zwnj_cleanup: bool = True
    join_affixes: bool = True
    restore_zwnj: bool = True

    @classmethod
    def from_config(cls, table: Mapping[str, object] | None) -> "NormalizeOptions":
        """Build options from a ``[normalize]`` config table, rejecting unknown keys and non-booleans."""
        if not table:
            return cls()
        names = {f.name for f in fields(cls)}
        problems = []
        for key, value in table.items():
            if key not in names:
                problems.append(f"[normalize] has no option {key!r} (known: {', '.join(sorted(names))})")
            elif not isinstance(value, bool):
                problems.append(f"[normalize] {key} must be true or false, not {value!r}")
        if problems:
            raise ConfigError(problems)
        return cls(**table)  # type: ignore[arg-type]


STEPS = tuple(f.name for f in fields(NormalizeOptions))
