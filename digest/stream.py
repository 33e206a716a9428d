"""Text on the command line: ``digest normalize`` (a line-by-line filter) and ``digest eval-zwnj`` input.

``normalize_stream`` reads one line, writes its normalized form, and goes on, so it can sit in a
shell pipeline over a file of any size and answer each line as it arrives.
"""

from __future__ import annotations

import dataclasses
import os
import stat
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator

from digest import config as config_mod
from digest.errors import ContentError
from digest.persian import NormalizeOptions, normalize

FENCE = "```"
_UTF8_HINT = ("save the file as UTF-8; Windows-1256 text can be converted with "
              "'iconv -f windows-1256 -t utf-8'")


def options_for(folder: Path, switched_off: Iterable[str] = ()) -> NormalizeOptions:
    """Return the ``[normalize]`` steps of ``folder/digest.toml`` (if any) with ``switched_off`` steps off."""
    table = {}
    if (folder / config_mod.CONFIG_FILE).is_file():
        table = config_mod.load(folder).extra.get("normalize") or {}
    options = NormalizeOptions.from_config(table)
    return dataclasses.replace(options, **{name: False for name in switched_off})


def wants_flush_per_line(infile: BinaryIO, outfile: BinaryIO) -> bool:
    """Tell whether to flush after every line: when someone watches, or input arrives bit by bit.

    Output to a terminal is flushed per line; so is any output when the input is a pipe or a
    terminal, because the writer at the other end may wait for each answer before sending more.
    Reading a regular file into a file or pipe keeps the buffer, which is much faster.
    """
    try:
        if os.isatty(outfile.fileno()):
            return True
        return not stat.S_ISREG(os.fstat(infile.fileno()).st_mode)
    except (OSError, AttributeError, ValueError):  # objects without a file descriptor
        return False


def _split_end(raw: bytes) -> tuple[bytes, bytes]:
    """Split a line into its content and its line end (``\\r\\n``, ``\\n`` or none)."""
    if raw.endswith(b"\r\n"):
        return raw[:-2], b"\r\n"
    if raw.endswith(b"\n"):
        return raw[:-1], b"\n"
    return raw, b""


def _decode_line(body: bytes, name: str, number: int) -> str:
    """Decode one line as UTF-8, or raise ContentError naming the line and column."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ContentError(f"not UTF-8 text (byte 0x{body[err.start]:02x} at column {err.start + 1})",
                           path=name, line=number, hint=_UTF8_HINT) from None


def normalize_line(line: str, options: NormalizeOptions, in_fence: bool = False) -> tuple[str, bool]:
    """Return the normalized line and whether the next line is inside a ``` code fence.

    Normalizing a whole text protects fenced code; line by line, the fence is tracked here, and
    lines inside it (or opening or closing it) pass through untouched.
    """
    fences = line.count(FENCE)
    out = line if in_fence or fences else normalize(line, options)
    return out, in_fence != bool(fences % 2)


def normalize_stream(infile: BinaryIO, outfile: BinaryIO, options: NormalizeOptions,
                     name: str = "<stdin>", flush: bool = False) -> int:
    """Copy ``infile`` to ``outfile`` normalizing each line (line ends kept); return the line count."""
    in_fence = False
    number = 0
    for number, raw in enumerate(iter(infile.readline, b""), 1):
        body, end = _split_end(raw)
        if number == 1:
            body = body.removeprefix(b"\xef\xbb\xbf")
        text, in_fence = normalize_line(_decode_line(body, name, number), options, in_fence)
        outfile.write(text.encode("utf-8") + end)
        if flush:
            outfile.flush()
    outfile.flush()
    return number


def read_texts(paths: Iterable[Path]) -> Iterator[tuple[str, str]]:
    """Yield (name, text) for each UTF-8 file; folders give their ``.txt`` and ``.md`` files."""
    for path in paths:
        if path.is_dir():
            yield from read_texts(sorted(p for p in path.rglob("*")
                                         if p.suffix in (".txt", ".md") and p.is_file()))
            continue
        try:
            raw = path.read_bytes()
        except OSError as err:
            raise ContentError(f"could not read: {err.strerror or err}", path=path) from None
        try:
            yield str(path), raw.decode("utf-8-sig")
        except UnicodeDecodeError as err:
            line = raw.count(b"\n", 0, err.start) + 1
            raise ContentError(f"not UTF-8 text (byte 0x{raw[err.start]:02x})", path=path, line=line,
                               hint=_UTF8_HINT) from None
