"""GitHub's C CommonMark parser (cmark-gfm, through the ``cmarkgfm`` package): Markdown in, HTML out.

Safe mode (cmark's default): raw HTML becomes ``<!-- raw HTML omitted -->`` and script-scheme
link targets become empty. Tables and ``~~strikethrough~~`` are on; bare URLs are not linked.

cmarkgfm's own helpers never free the parsed tree nor the rendered string (about 190 KB lost per
4 KB article), so the calls are made here and both are freed. cmarkgfm's cffi module lacks the
two free functions; they are taken from the same shared library through ctypes.
"""

from __future__ import annotations

import ctypes
from functools import lru_cache

from cmarkgfm.cmark import _cmark

OMITTED = "<!-- raw HTML omitted -->"

_lib, _ffi = _cmark.lib, _cmark.ffi
# Only "~~" strikes through, as in markdown-it; alignment goes to a style attribute, which the
# sanitizer drops as it always did (the align attribute is obsolete HTML).
OPTIONS = (_lib.CMARK_OPT_STRIKETHROUGH_DOUBLE_TILDE | _lib.CMARK_OPT_TABLE_PREFER_STYLE_ATTRIBUTES
           | _lib.CMARK_OPT_VALIDATE_UTF8)
EXTENSIONS = (b"table", b"strikethrough")
# Bytes from a strict UTF-8 encoding are valid UTF-8 (no surrogate, nothing overlong), so cmark's
# check, which only replaces invalid sequences, would copy them unchanged: about 2% of reading.
_VALID_INPUT = OPTIONS & ~_lib.CMARK_OPT_VALIDATE_UTF8


class _Mem(ctypes.Structure):
    """cmark's allocator: the ``free`` that matches the one that allocated the HTML."""

    _fields_ = [("calloc", ctypes.c_void_p), ("realloc", ctypes.c_void_p),
                ("free", ctypes.CFUNCTYPE(None, ctypes.c_void_p))]


@lru_cache(maxsize=1)
def _native():
    """Return (syntax extensions, node free, string free), loaded once per process."""
    _lib.cmark_gfm_core_extensions_ensure_registered()
    extensions = tuple(_lib.cmark_find_syntax_extension(name) for name in EXTENSIONS)
    if any(ext == _ffi.NULL for ext in extensions):
        raise RuntimeError(f"cmark-gfm lacks one of the extensions {EXTENSIONS}")
    so = ctypes.CDLL(_cmark.__file__)  # already loaded by cffi: the same library, not a second copy
    so.cmark_node_free.argtypes = [ctypes.c_void_p]
    so.cmark_node_free.restype = None
    so.cmark_get_default_mem_allocator.restype = ctypes.POINTER(_Mem)
    return extensions, so.cmark_node_free, so.cmark_get_default_mem_allocator().contents.free


def _address(pointer) -> int:
    """Return a cffi pointer as the integer ctypes expects."""
    return int(_ffi.cast("uintptr_t", pointer))


def to_html(text: str, encoded: bytes | None = None) -> str:
    """Parse ``text`` and render it as HTML, freeing everything cmark allocated.

    ``encoded``, when given, must be ``text.encode("utf-8")`` (valid UTF-8): the file's own bytes,
    which spare encoding the text again.
    """
    extensions, node_free, mem_free = _native()
    if encoded is not None:
        data, options = encoded, _VALID_INPUT
    else:
        try:
            data, options = text.encode("utf-8"), _VALID_INPUT
        except UnicodeEncodeError:   # a lone surrogate: cmark's check makes it U+FFFD
            data, options = text.encode("utf-8", "surrogatepass"), OPTIONS
    parser = _lib.cmark_parser_new(options)
    try:
        for ext in extensions:
            _lib.cmark_parser_attach_syntax_extension(parser, ext)
        _lib.cmark_parser_feed(parser, data, len(data))
        root = _lib.cmark_parser_finish(parser)
        try:
            raw = _lib.cmark_render_html(root, options, _lib.cmark_parser_get_syntax_extensions(parser))
            try:
                # cmark writes U+FFFE and U+FFFF (from entities) as the bare bytes FE and FF.
                return _ffi.string(raw).decode("utf-8", "replace")
            finally:
                mem_free(_address(raw))
        finally:
            node_free(_address(root))
    finally:
        _lib.cmark_parser_free(parser)
