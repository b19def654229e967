"""Decoding web pages as browsers do, before trafilatura sees them.

The order is the HTML standard's (WHATWG "determine the character encoding"): a byte-order
mark, then the HTTP header's charset, then a `<meta charset>` or `http-equiv` in the first
1024 bytes, then a guess (strict UTF-8 first, then charset-normalizer). Invalid sequences
become U+FFFD, one per maximal invalid subpart, as the standard's decoders do; how many,
and where the first one was, is kept so the load can say so.
"""

from __future__ import annotations

import codecs
import re
from contextvars import ContextVar
from dataclasses import dataclass

# WHATWG labels whose decoder differs from the Python codec of the same name: browsers
# read "latin1" and "ascii" as windows-1252, GB2312/GBK as gb18030, and so on.
_WHATWG_NAMES = {
    "ascii": "cp1252",
    "us-ascii": "cp1252",
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "iso_8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "cp819": "cp1252",
    "ibm819": "cp1252",
    "x-cp1252": "cp1252",
    "iso-8859-9": "cp1254",
    "latin5": "cp1254",
    "iso-8859-11": "cp874",
    "tis-620": "cp874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "euc-kr": "cp949",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "ms_kanji": "cp932",
    "windows-31j": "cp932",
    "big5": "big5hkscs",
    "ks_c_5601-1987": "cp949",
    "x-user-defined": "cp1252",
    "utf-16": "utf-16-le",
}
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
)
_PRESCAN = 1024  # bytes the standard's prescan reads for a <meta>
_META = re.compile(rb"<meta\b([^>]*)>", re.I)
_ATTRIBUTE = re.compile(rb"""([a-zA-Z_:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_CHARSET_IN_CONTENT = re.compile(rb"""charset\s*=\s*["']?([^\s"';]+)""", re.I)
_COMMENT = re.compile(rb"<!--.*?-->", re.S)
# windows-1252 bytes Python's codec leaves undefined; browsers map them to C1 controls.
_CP1252_GAPS = {0x81, 0x8D, 0x8F, 0x90, 0x9D}


@dataclass
class Decoded:
    text: str
    encoding: str  # the Python codec name used
    how: str  # bom | header | meta | utf-8 | detected | default
    replacements: int  # invalid sequences replaced with U+FFFD
    first_replacement: int | None  # byte offset of the first one


def codec_for(label: str | bytes | None, in_page: bool = False) -> str | None:
    """The Python codec a browser would use for an encoding label, or None if unknown.

    A page cannot declare UTF-16 in its own ASCII bytes (`in_page`): the standard then
    reads it as UTF-8.
    """
    if isinstance(label, bytes):
        label = label.decode("ascii", errors="replace")
    label = (label or "").strip().strip("\"'").lower()
    if not label:
        return None
    try:
        name = codecs.lookup(_WHATWG_NAMES.get(label, label)).name
    except LookupError:
        return None
    return "utf-8" if in_page and name.startswith("utf-16") else name


def header_charset(content_type: str | None) -> str | None:
    """The charset parameter of an HTTP Content-Type header, as a codec name."""
    found = _CHARSET_IN_CONTENT.search((content_type or "").encode("latin-1", "replace"))
    return codec_for(found.group(1)) if found else None


def meta_charset(raw: bytes) -> str | None:
    """A `<meta charset>` or `<meta http-equiv=Content-Type content=...>` in the first
    1024 bytes (comments skipped), as a codec name."""
    head = _COMMENT.sub(b"", raw[:_PRESCAN])
    for meta in _META.finditer(head):
        attributes: dict[bytes, bytes] = {}
        for name, *values in _ATTRIBUTE.findall(meta.group(1)):
            attributes.setdefault(name.lower(), next((v for v in values if v), b""))
        if b"charset" in attributes:
            found = codec_for(attributes[b"charset"], in_page=True)
        elif attributes.get(b"http-equiv", b"").lower() == b"content-type":
            content = _CHARSET_IN_CONTENT.search(attributes.get(b"content", b""))
            found = codec_for(content.group(1), in_page=True) if content else None
        else:
            continue
        if found:
            return found
    return None


def _guess(raw: bytes) -> tuple[str, str]:
    """An encoding for bytes that declare none: UTF-8 if they are valid UTF-8, otherwise
    what charset-normalizer finds, otherwise windows-1252 (the web's usual default)."""
    try:
        raw.decode("utf-8")
        return "utf-8", "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(raw[:200_000]).best()
    found = codec_for(best.encoding) if best is not None else None
    return (found, "detected") if found else ("cp1252", "default")


def decode_page(raw: bytes, content_type: str | None = None) -> Decoded:
    """The page's text, decoded in the standard's order, with its replacement count."""
    how, body = "bom", raw
    encoding = None
    for bom, name in _BOMS:
        if raw.startswith(bom):
            encoding, body = name, raw[len(bom) :]
            break
    if not encoding:
        encoding, how = header_charset(content_type), "header"
        if not encoding:
            encoding, how = meta_charset(raw), "meta"
        if not encoding:
            encoding, how = _guess(raw)
    text, replaced, first = _replacing(body, encoding)
    offset = len(raw) - len(body)
    return Decoded(text, encoding, how, replaced, None if first is None else first + offset)


class _Replacements:
    """The count and first offset of one decode's replacements."""

    def __init__(self, encoding: str) -> None:
        self.cp1252 = codecs.lookup(encoding).name == "cp1252"
        self.count = 0
        self.first: int | None = None


_CURRENT: ContextVar[_Replacements] = ContextVar("replacements")


def _replace(exc: UnicodeError) -> tuple[str, int]:
    """The error handler: U+FFFD for the invalid sequence Python's codec reports (it ends
    where the standard's decoders end one, at the maximal subpart), counted."""
    assert isinstance(exc, UnicodeDecodeError)
    state = _CURRENT.get()
    bad = exc.object[exc.start : exc.end]
    if state.cp1252 and len(bad) == 1 and bad[0] in _CP1252_GAPS:
        return chr(bad[0]), exc.end  # defined in the standard's windows-1252
    state.count += 1
    if state.first is None:
        state.first = exc.start
    return "\ufffd", exc.end


_HANDLER = "datasette-claims-replace"
codecs.register_error(_HANDLER, _replace)


def _replacing(raw: bytes, encoding: str) -> tuple[str, int, int | None]:
    """Decode with one U+FFFD per invalid sequence, counting them."""
    state = _Replacements(encoding)
    token = _CURRENT.set(state)
    try:
        text = raw.decode(encoding, errors=_HANDLER)
    finally:
        _CURRENT.reset(token)
    return text, state.count, state.first
