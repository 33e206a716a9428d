"""Write the rendered site into the output folder as one all-or-nothing step.

Changed files are first written beside their targets under temporary names; only when every
one is on disk does a journal mark the commit and the renames (plus removal of stale pages)
run. A build killed while staging leaves the previous site untouched and its temporary files
are removed on the next run; one killed while committing is rolled forward on the next run.
Files whose bytes did not change are not touched at all.
A brand-new output folder is staged whole instead: every file under its own name in a hidden
sibling folder, which one rename puts in place (nothing to keep safe, and no rename per file).
A build's render workers stage the pages they render themselves (``begin`` in the parent, then
``stage`` in each worker, then ``commit`` or ``abort`` in the parent), so page bytes never sit in
the parent's memory.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from digest.config import Config
from digest.errors import OutputError

TMP_SUFFIX = ".digest-tmp"
_O_BINARY = getattr(os, "O_BINARY", 0)   # Windows: no newline translation


@dataclass(frozen=True)
class WriteStats:
    """What a write did."""

    written: int
    unchanged: int
    removed: int


def check_output(config: Config) -> Path:
    """Return the output folder, refusing places a build must never fill or empty."""
    out = config.output_dir
    home = Path.home().resolve()
    root = config.root.resolve()
    dangerous = {Path("/"): "the file-system root", home: "your home folder", root: "the project folder",
                 config.content_dir: "the content folder", (root / "templates").resolve(): "the templates folder"}
    if out in dangerous:
        raise OutputError(f"refusing to write the site into {dangerous[out]} ({out})",
                          hint="set output = \"site\" in digest.toml")
    for inner, what in ((root, "the project folder"), (config.content_dir, "the content folder")):
        if inner.is_relative_to(out):
            raise OutputError(f"refusing to write the site into {out}: it contains {what}",
                              hint="choose an output folder inside the project, such as site/")
    if (out / ".git").exists():
        raise OutputError(f"refusing to write into {out}: it holds a .git folder that digest did not create",
                          hint="choose an empty output folder")
    return out


def _hash(data: bytes) -> str:
    """Return a short content hash."""
    # On CPUs with SHA instructions (which OpenSSL uses), SHA-256 takes about half of BLAKE2b's time.
    return hashlib.sha256(data).hexdigest()[:32]


class Writer:
    """Writes sites into one output folder, remembering what it wrote in a state folder."""

    def __init__(self, out: Path, state: Path):
        self.out = out
        self.state = state
        self.journal = state / "write-journal.json"
        self.manifest_path = state / "manifest.json"
        self.last_changed: list[str] = []
        self.last_removed: list[str] = []
        self._manifest: dict[str, str] | None = None     # read once: a build asks several times
        self._manifest_read = False
        self._new: str | None = None     # the hidden folder a new output folder is staged in

    def _new_folder(self) -> str:
        """Return the hidden sibling folder in which a new output folder is staged."""
        return os.path.join(os.path.dirname(self.out), f".{self.out.name}{TMP_SUFFIX}")

    def recover(self) -> None:
        """Finish or undo a write that was interrupted."""
        _remove_tree(self._new_folder())   # a new output folder left unfinished
        if not self.journal.exists():
            return
        try:
            data = json.loads(self.journal.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        if data.get("phase") == "commit":
            self._apply(data["moves"], data["remove"])
        else:
            for tmp in data.get("staged", []):
                (self.out / tmp).unlink(missing_ok=True)
        self.journal.unlink(missing_ok=True)

    def manifest(self) -> dict[str, str] | None:
        """Return {path: hash} of the last complete write, or None when unknown."""
        if not self._manifest_read:
            try:
                data = json.loads(self.manifest_path.read_text(encoding="utf-8"))
                self._manifest = data if isinstance(data, dict) else None
            except (OSError, ValueError):
                self._manifest = None
            self._manifest_read = True
        return None if self._manifest is None else dict(self._manifest)

    def begin(self, candidates: Iterable[str]) -> None:
        """Start a write of ``candidates`` (the files that may be staged) before any is staged.

        Finishes an interrupted write and journals the temporary names first, so files staged by
        this process or its workers are removed if the build dies before the commit.
        """
        self.recover()
        self.state.mkdir(parents=True, exist_ok=True)
        self._made: set[str] = set()
        self._new = None if os.path.lexists(self.out) else self._new_folder()
        if self._new is not None:   # no site yet: nothing to compare with or to keep whole
            try:
                os.makedirs(self._new)
            except OSError as err:
                raise OutputError(f"could not make the site's folder: {err.strerror or err}",
                                  path=getattr(err, "filename", None) or self._new,
                                  hint="check that the output folder's parent can be written to") from None
            self._old, self._scanned, self._candidates = {}, False, []
            self._made.add(str(self._new))
            self._out_prefix = os.path.join(self._new, "")
            return
        old = self.manifest()
        self._scanned = old is None
        self._old = self._scan() if old is None else old
        self._candidates = list(candidates)
        self._out_prefix = os.path.join(self.out, "")
        self._save_json(self.journal, {"phase": "staging", "staged": [_tmp_name(r) for r in self._candidates]})

    def stage(self, rel: str, data: bytes) -> tuple[str, bool]:
        """Stage one file under its temporary name unless its bytes are already in place.

        Returns (content hash, staged). Safe to call from forked workers after ``begin``: each
        writes only its own files. Raises OutputError when the file cannot be written.
        """
        digest = _hash(data)
        if self._new is not None:
            return self._write(self._out_prefix + rel, digest, data)   # (a new folder holds nothing yet)
        if self._scanned:  # no record of the last write: compare with the bytes on disk
            if (rel in self._old or not self._complete) and self._same_on_disk(rel, data):
                return digest, False
        elif self._old.get(rel) == digest and os.path.isfile(os.path.join(self.out, rel)):
            return digest, False
        # a page path is relative: no os.path.join per file
        return self._write(self._out_prefix + _tmp_name(rel), digest, data)

    def _write(self, path: str, digest: str, data: bytes) -> tuple[str, bool]:
        """Write one staged file, making its folder first; return (hash, True)."""
        try:
            folder = os.path.dirname(path)
            if folder not in self._made:   # one mkdir per folder, not per file
                _make_folder(folder)
                self._made.add(folder)
            _write_file(path, data)
        except OSError as err:
            raise OutputError(f"could not write the site: {err.strerror or err}",
                              path=getattr(err, "filename", None),
                              hint="the previous site was left as it was") from None
        return digest, True

    def abort(self) -> None:
        """Remove every file staged since ``begin`` and the journal: the previous site stays whole."""
        if self._new is not None:
            _remove_tree(self._new)
        for rel in self._candidates:
            try:
                os.unlink(os.path.join(self.out, _tmp_name(rel)))
            except OSError:
                pass
        self.journal.unlink(missing_ok=True)

    def commit(self, staged: dict[str, tuple[str, bool]], partial: bool = False,
               keep: Iterable[str] = ()) -> WriteStats:
        """Move the staged files into place, delete stale ones, and record the new manifest.

        ``staged`` maps every file of this write to ``stage``'s (hash, staged) answer.
        """
        old, scanned = self._old, self._scanned
        kept = {rel: old[rel] for rel in keep if rel in old and rel not in staged}
        hashes = {rel: h for rel, (h, _) in staged.items()}
        changed = [rel for rel, (_, moved) in staged.items() if moved]
        stale = [] if partial else sorted(set(old) - set(staged) - set(kept))
        if self._new is not None:
            self._move_new()
        elif changed or stale:
            moves = [[_tmp_name(rel), rel] for rel in changed]
            self._save_json(self.journal, {"phase": "commit", "moves": moves, "remove": stale})
            self._apply(moves, stale)
        self.journal.unlink(missing_ok=True)
        self.last_changed, self.last_removed = changed, stale
        if changed or stale or scanned:
            manifest = {**old, **hashes} if partial else {**kept, **hashes}
            for rel in stale:
                manifest.pop(rel, None)
            self._save_json(self.manifest_path, manifest)
            self._manifest, self._manifest_read = manifest, True
        return WriteStats(len(changed), len(staged) - len(changed) + len(kept), len(stale))

    def _move_new(self) -> None:
        """Rename the staged new folder into place (it holds this write's every file)."""
        try:
            os.rename(self._new, self.out)
        except OSError as err:   # the output folder was made by someone else during the build
            self.abort()
            raise OutputError(f"could not put the new site in place: {err.strerror or err}", path=str(self.out),
                              hint="the folder appeared while the site was built; build again") from None
        self._new = None

    def _scan(self) -> dict[str, str]:
        """List files already in the output folder (without a manifest we compare bytes).

        Sets ``_complete`` when every folder was walked (none was a symlink or unreadable), so
        that a file missing from the list is surely not on disk.
        """
        found: dict[str, str] = {}
        walked, named = set(), set()
        if self.out.is_dir():
            for folder, dirs, names in os.walk(self.out):
                walked.add(folder)
                dirs[:] = [d for d in dirs if d != ".git"]
                named.update(os.path.join(folder, d) for d in dirs)
                for name in names:
                    rel = os.path.relpath(os.path.join(folder, name), self.out).replace(os.sep, "/")
                    found[rel] = ""
        self._complete = named <= walked
        return found

    def _same_on_disk(self, rel: str, data: bytes) -> bool:
        """Tell whether the file already holds exactly ``data``."""
        path = self.out / rel
        try:
            return path.stat().st_size == len(data) and path.read_bytes() == data
        except OSError:
            return False

    def _apply(self, moves: list[list[str]], remove: list[str]) -> None:
        """Move staged files into place and delete stale ones (safe to repeat)."""
        out = str(self.out)
        for tmp, rel in moves:   # a cold build moves every page: plain strings, no pathlib per file
            try:
                os.replace(os.path.join(out, tmp), os.path.join(out, rel))
            except FileNotFoundError:
                if os.path.lexists(os.path.join(out, tmp)):   # the target's folder is gone
                    raise
        for rel in remove:
            path = self.out / rel
            if path.is_file() or path.is_symlink():
                path.unlink()
            elif path.is_dir():
                shutil.rmtree(path)
            _prune_empty(path.parent, self.out)

    @staticmethod
    def _save_json(path: Path, data: object) -> None:
        """Write JSON atomically."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + TMP_SUFFIX)
        tmp.write_text(json.dumps(data, ensure_ascii=False, sort_keys=True), encoding="utf-8")
        os.replace(tmp, path)


def _remove_tree(path: str) -> None:
    """Remove a folder this module made, if it is there (a symlink in its place is only unlinked)."""
    if os.path.islink(path):
        os.unlink(path)
    elif os.path.isdir(path):
        shutil.rmtree(path)


def _make_folder(folder: str) -> None:
    """Make ``folder`` (and its parents) unless it exists; refuse one that is a symlink."""
    try:
        os.mkdir(folder)
        return   # made just now: not a symlink (most page folders are new on a clean build)
    except FileNotFoundError:
        os.makedirs(folder, exist_ok=True)
    except FileExistsError:
        pass
    if os.path.islink(folder):
        raise OutputError(f"refusing to write through the symlink {folder}")


def _write_file(path: str, data: bytes) -> None:
    """Write ``data`` to ``path``, replacing it (without a buffered file object: one write call)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | _O_BINARY, 0o666)
    try:
        done = os.write(fd, data)   # a page fits in one write; the loop is for the rare short one
        if done < len(data):
            view = memoryview(data)[done:]
            while view:
                view = view[os.write(fd, view):]
    finally:
        os.close(fd)


def _tmp_name(rel: str) -> str:
    """Return the temporary sibling name a file is staged under."""
    head, _, name = rel.rpartition("/")
    return f"{head}/.{name}{TMP_SUFFIX}" if head else f".{name}{TMP_SUFFIX}"


def _prune_empty(folder: Path, stop: Path) -> None:
    """Remove empty folders from ``folder`` up to (not including) ``stop``."""
    while folder != stop and stop in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
