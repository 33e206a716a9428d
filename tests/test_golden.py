"""The sample site builds exactly as the checked-in golden copy (regenerate: python scripts/update_golden.py)."""

from __future__ import annotations

import difflib
import importlib.util

from tests.conftest import ROOT

spec = importlib.util.spec_from_file_location("update_golden", ROOT / "scripts" / "update_golden.py")
update_golden = importlib.util.module_from_spec(spec)
spec.loader.exec_module(update_golden)


def test_sample_site_matches_golden(tmp_path):
    built = update_golden.golden_files(update_golden.build_sample(tmp_path))
    golden_dir = update_golden.GOLDEN
    golden = {p.relative_to(golden_dir).as_posix(): p.read_bytes()
              for p in sorted(golden_dir.rglob("*")) if p.is_file()}
    assert sorted(built) == sorted(golden), "pages added or missing: run python scripts/update_golden.py"
    for rel in built:
        if built[rel] != golden[rel]:
            diff = "\n".join(difflib.unified_diff(
                golden[rel].decode().splitlines(), built[rel].decode().splitlines(),
                f"golden/{rel}", f"built/{rel}", lineterm="", n=1))
            raise AssertionError(f"{rel} differs from the golden copy "
                                 f"(if intended: python scripts/update_golden.py)\n{diff[:3000]}")
