"""The version of the code a cache belongs to: digest's own files, the ZWNJ lexicon and the
libraries that shape output. A cache made by any other version is not trusted."""

from __future__ import annotations

import functools
import hashlib
import os
import sys
from pathlib import Path

from digest import __version__

FORMAT = 3   # the layout of the cache files; part of the key


_CODE_KEY: str | None = None


def code_key() -> str:
    """Return a key that changes whenever digest's code or a library that shapes output changes."""
    global _CODE_KEY
    if _CODE_KEY is None:
        h = hashlib.blake2b(f"{FORMAT}:{__version__}:{sys.version}".encode(), digest_size=16)
        for dist in ("jinja2", "cmarkgfm", "nh3", "PyYAML", "jdatetime", "markupsafe"):
            h.update(f"{dist}={dist_version(dist)};".encode())
        package = Path(__file__).resolve().parent
        # The ZWNJ lexicon in data/ shapes articles as much as the code does.
        for path in sorted([*package.glob("*.py"), *package.glob("data/*.gz")]):
            h.update(path.name.encode() + b"\0" + path.read_bytes())
        _CODE_KEY = h.hexdigest()
    return _CODE_KEY


def dist_version(name: str) -> str:
    """Return the installed version of distribution ``name`` ("?" if it is not installed)."""
    # Most installs leave a ``<name>-<version>.dist-info`` folder on sys.path; its name is
    # enough, and importlib.metadata (15 ms to import, with the email package) is needed
    # only for other layouts.
    wanted = name.lower().replace("-", "_").replace(".", "_")
    for folder in sys.path:
        for entry in _listing(folder or "."):
            stem, dash, rest = entry.partition("-")
            if dash and rest.endswith(".dist-info") and stem.lower().replace(".", "_") == wanted:
                return rest[:-len(".dist-info")]
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "?"


@functools.lru_cache(maxsize=None)
def _listing(folder: str) -> tuple[str, ...]:
    """Return the names in ``folder`` (none if it is not a readable folder)."""
    try:
        return tuple(os.listdir(folder))
    except OSError:
        return ()
