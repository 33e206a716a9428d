"""Recipient lists: ``--to`` addresses, or a file with one address a line or a CSV ``email`` column."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from digest.errors import MailError
from digest.mail.encode import check_address
from digest.mail.sendlog import key


def read_file(path: Path) -> list[str]:
    """Read and check a recipients file; every bad line is reported (file:line) and nothing is sent."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        raise MailError(f"could not read the recipients file: {err}", path=path) from None
    lines = text.splitlines()
    first = next((line for line in lines if line.strip() and not line.lstrip().startswith("#")), "")
    if "," in first or ";" in first or "\t" in first:
        rows = _csv_rows(text, path)
    else:
        rows = [(n, line.strip()) for n, line in enumerate(lines, 1)
                if line.strip() and not line.lstrip().startswith("#")]
    return check_all(rows, path)


def _csv_rows(text: str, path: Path) -> list[tuple[int, str]]:
    """Return (line, address) from the ``email`` column of a CSV file."""
    dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=",;\t")
    reader = csv.reader(io.StringIO(text), dialect)
    header = [h.strip().lower() for h in next(reader)]
    if "email" not in header:
        raise MailError(f"the CSV header has no 'email' column (found: {', '.join(header)})",
                        path=path, line=1, hint="name the address column 'email'")
    col = header.index("email")
    rows = []
    for row in reader:
        if any(cell.strip() for cell in row):
            value = row[col].strip() if col < len(row) else ""
            rows.append((reader.line_num, value))
    return rows


def check_all(rows: list[tuple[int | None, str]], path: object = None) -> list[str]:
    """Validate addresses, dropping repeats (case-insensitive); raise one MailError listing every bad one."""
    good: list[str] = []
    seen: set[str] = set()
    bad: list[str] = []
    for line, value in rows:
        try:
            addr = check_address(value, "recipient")
        except MailError as err:
            bad.append(f"{path}:{line}: {err.message}" if path else err.message)
            continue
        if key(addr) not in seen:
            seen.add(key(addr))
            good.append(addr)
    if bad:
        raise MailError(f"{len(bad)} invalid recipient(s); nothing was sent:\n  " + "\n  ".join(bad[:20])
                        + ("\n  ..." if len(bad) > 20 else ""), hint="fix or remove those addresses")
    return good
