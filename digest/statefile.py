"""The cache's metadata file, ``state.pickle``, and the small delta file beside it.

At 10,000 articles the metadata holds 10,000 file records and about 10,700 page records
(1.8 MB); rewriting it costs more than the rest of saving after a one-article edit. So a save
that changed few records writes only those, into ``state-delta.pickle``, naming the
``state.pickle`` it applies to; a save that changed many, or that does not know which
``state.pickle`` is on disk, rewrites ``state.pickle`` whole and drops the delta.
Both are written atomically. A delta for another ``state.pickle`` is ignored; a damaged one
makes the whole metadata unusable (the build starts cold), like a damaged ``state.pickle``.
"""

from __future__ import annotations

import os
import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DELTA_LIMIT = 2000   # changed records above which state.pickle is rewritten whole


@dataclass
class Saved:
    """What the ``state.pickle`` on disk holds, as last read or written by this process."""

    folder: Path
    id: str
    stat: tuple[int, int, int]          # (inode, size, mtime_ns): the file is still that one
    files: dict[str, tuple]
    pages: dict[str, tuple]


def read(folder: Path, fmt: int, key: str) -> tuple[dict[str, Any], Saved] | None:
    """Return the metadata (delta applied) and what is on disk; None if missing or for another key.

    Raises if either file is damaged.
    """
    path = folder / "state.pickle"
    with open(path, "rb") as fh:
        st = os.fstat(fh.fileno())
        data = pickle.load(fh)
    if not (isinstance(data, dict) and data.get("format") == fmt and data.get("key") == key):
        return None
    saved = Saved(folder, data["id"], (st.st_ino, st.st_size, st.st_mtime_ns), data["files"], data["pages"])
    try:
        with open(folder / "state-delta.pickle", "rb") as fh:
            delta = pickle.load(fh)
    except FileNotFoundError:
        return data, saved
    if not (isinstance(delta, dict) and delta.get("format") == fmt and delta.get("key") == key):
        raise ValueError("state-delta.pickle")
    if delta["base"] != saved.id:
        return data, saved   # left from before state.pickle was rewritten
    merged = dict(delta, files=_apply(saved.files, delta["files"]), pages=_apply(saved.pages, delta["pages"]))
    return merged, saved


def write(folder: Path, saved: Saved | None, fmt: int, key: str, files: dict[str, tuple],
          pages: dict[str, tuple], rest: dict[str, Any]) -> Saved:
    """Save the metadata: a delta against ``saved`` if that is still on disk and little changed."""
    path = folder / "state.pickle"
    if saved is not None and saved.folder == folder and _stat(path) == saved.stat:
        changed_files, changed_pages = _changes(saved.files, files), _changes(saved.pages, pages)
        if len(changed_files) + len(changed_pages) <= DELTA_LIMIT:
            dump(folder / "state-delta.pickle", {"format": fmt, "key": key, "base": saved.id,
                                                 "files": changed_files, "pages": changed_pages, **rest})
            return saved
    new_id = os.urandom(8).hex()
    pages = dict(pages)   # a snapshot: the caller goes on changing its dict
    dump(path, {"format": fmt, "key": key, "id": new_id, "files": files, "pages": pages, **rest})
    (folder / "state-delta.pickle").unlink(missing_ok=True)
    return Saved(folder, new_id, _stat(path), files, pages)


def clear(folder: Path) -> None:
    """Delete both files."""
    (folder / "state.pickle").unlink(missing_ok=True)
    (folder / "state-delta.pickle").unlink(missing_ok=True)


def _apply(base: dict[str, tuple], changes: dict[str, tuple | None]) -> dict[str, tuple]:
    """Return ``base`` with ``changes`` made (None deletes a record)."""
    out = dict(base)
    for name, record in changes.items():
        if record is None:
            out.pop(name, None)
        else:
            out[name] = record
    return out


def _changes(old: dict[str, tuple], new: dict[str, tuple]) -> dict[str, tuple | None]:
    """Return the records of ``new`` that differ from ``old``, and None for those it dropped."""
    changed: dict[str, tuple | None] = {name: rec for name, rec in new.items() if old.get(name) != rec}
    if len(new) != len(old) or changed:
        changed.update((name, None) for name in old.keys() - new.keys())
    return changed


def _stat(path: Path) -> tuple[int, int, int]:
    """Return what tells one version of a file from another: (inode, size, mtime_ns)."""
    try:
        st = os.stat(path)
    except OSError:
        return (-1, -1, -1)
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def dump(path: Path, data: object) -> None:
    """Pickle ``data`` to ``path`` atomically."""
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        pickle.dump(data, fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)
