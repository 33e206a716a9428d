"""Article bodies kept apart from article metadata in the cache, and read only when shown.

An incremental build needs every Article's metadata to assemble the site, but the HTML body of
only the few articles whose pages or feeds it renders again. So the cache keeps bodies in shards
by Jalali day (an edit rewrites one day's shard; the newest articles, which the feeds show, sit
in a few shards), and a cached Article's ``body_html`` is a ``LazyBody``: it reads its shard on
first use and from then on behaves as the string. Templates see no difference except the
``is string`` test (it is not a ``str``); see docs/performance.md.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import Any, Callable, Iterator

from digest.errors import ContentError


def shard_name(day_path: str) -> str:
    """Return the body shard of an article published on ``day_path`` (``1403/09/02``)."""
    return day_path.replace("/", "-")


class LazyBody:
    """An article's HTML body, read from the cache on first use."""

    __slots__ = ("_bodies", "_shard", "_rel", "_digest", "_value")

    def __init__(self, bodies: "Bodies", shard: str, rel: str, digest: str):
        self._bodies, self._shard, self._rel, self._digest = bodies, shard, rel, digest
        self._value: str | None = None

    def value(self) -> str:
        """Return the body, reading it on first use."""
        if self._value is None:
            self._value = self._bodies.get(self._shard, self._rel, self._digest)
        return self._value

    # No __html__: Markup() and escape() must treat it exactly as they treat the plain string.
    def __str__(self) -> str:
        return self.value()

    def __repr__(self) -> str:
        return repr(self.value())

    def __len__(self) -> int:
        return len(self.value())

    def __bool__(self) -> bool:
        return bool(self.value())

    def __iter__(self) -> Iterator[str]:
        return iter(self.value())

    def __getitem__(self, key: Any) -> str:
        return self.value()[key]

    def __contains__(self, part: str) -> bool:
        return part in self.value()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LazyBody):
            other = other.value()
        return self.value() == other if isinstance(other, str) else NotImplemented

    def __hash__(self) -> int:
        return hash(self.value())

    def __add__(self, other: str) -> str:
        return self.value() + other

    def __radd__(self, other: str) -> str:
        return other + self.value()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.value(), name)   # .replace, .split, ... as on the string

    def __reduce__(self) -> tuple:
        return (str, (self.value(),))        # pickles (to a worker, to the cache) as the string


class Bodies:
    """Reads and writes body shards in one cache folder, remembering the shards it has read."""

    def __init__(self, folder: Path, key: str):
        self.folder, self.key = folder, key
        self._read: dict[str, dict[str, tuple[str, str]]] = {}
        # Set by the cache: reads a body from its source file when the shard has lost it.
        self.reread: Callable[[str, str], str | None] | None = None

    def shard(self, name: str) -> dict[str, tuple[str, str]]:
        """Return {path: (content hash, body)} of one shard ({} when missing or damaged)."""
        found = self._read.get(name)
        if found is None:
            found = {}
            try:
                with open(self.folder / f"{name}.pickle", "rb") as fh:
                    data = pickle.load(fh)
                if isinstance(data, dict) and data.get("key") == self.key and isinstance(data.get("bodies"), dict):
                    found = data["bodies"]
            except Exception:  # noqa: BLE001 - a damaged shard: its bodies are read from the sources
                found = {}
            self._read[name] = found
        return found

    def get(self, name: str, rel: str, digest: str) -> str:
        """Return the body of ``rel`` with content hash ``digest``, from its shard or its source."""
        row = self.shard(name).get(rel)
        if isinstance(row, tuple) and len(row) == 2 and row[0] == digest and isinstance(row[1], str):
            return row[1]
        body = self.reread(rel, digest) if self.reread else None
        if body is None:
            raise ContentError("the file changed while the site was being built; run the build again",
                               path=rel)
        return body

    def save(self, name: str, bodies: dict[str, tuple[str, str]]) -> None:
        """Write one shard atomically."""
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{name}.pickle"
        tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
        with open(tmp, "wb") as fh:
            pickle.dump({"key": self.key, "bodies": bodies}, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        self._read[name] = bodies
