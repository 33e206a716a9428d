"""Regenerate tests/golden/: the expected output of building the sample site in content/.

    python scripts/update_golden.py

Run it after an intended change to templates or rendering, then review `git diff tests/golden`.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"
TEXT_SUFFIXES = {".html", ".xml", ".json", ".txt", ".css"}


def build_sample(into: Path) -> Path:
    """Copy the sample site into ``into`` and build it; return the output folder."""
    sys.path.insert(0, str(ROOT))
    from digest.build import build

    shutil.copytree(ROOT / "content", into / "content")
    shutil.copy(ROOT / "digest.toml", into / "digest.toml")
    build(into)
    return into / "site"


def golden_files(site: Path) -> dict[str, bytes]:
    """Return the text files of a built site that the golden copy keeps."""
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*"))
            if p.is_file() and p.suffix in TEXT_SUFFIXES and "static/" not in p.relative_to(site).as_posix()}


def main() -> int:
    """Rebuild the golden copy from the sample site."""
    with tempfile.TemporaryDirectory() as tmp:
        files = golden_files(build_sample(Path(tmp)))
    if GOLDEN.exists():
        shutil.rmtree(GOLDEN)
    for rel, data in files.items():
        path = GOLDEN / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    print(f"wrote {len(files)} files to tests/golden/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
