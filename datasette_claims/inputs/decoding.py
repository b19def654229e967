"""Reading input files as text: byte-order marks, `--encoding`, and no silent replacement."""

from __future__ import annotations

import codecs
from contextvars import ContextVar
from pathlib import Path

from datasette_claims.errors import LoadError

# The encoding of input files for this load (`--encoding`); UTF-8 unless the user says.
INPUT_ENCODING: ContextVar[str] = ContextVar("input_encoding", default="utf-8")


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16: its mark begins the same way
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _encoding_of(raw: bytes, chosen: str) -> str:
    for bom, bom_encoding in _BOMS:
        if raw.startswith(bom):
            return bom_encoding
    return chosen


def decode_head(raw: bytes) -> str:
    """The first bytes of a file as text, for recognising its format (never raises)."""
    return raw.decode(_encoding_of(raw, INPUT_ENCODING.get()), errors="replace").removeprefix(
        "\ufeff"
    )


def read_bytes(path: Path, limit: int = -1) -> bytes:
    """A file's bytes; a file that went away or cannot be read is a LoadError naming it."""
    try:
        with open(path, "rb") as handle:
            return handle.read(limit)
    except OSError as exc:
        raise unreadable(path, exc) from None


def unreadable(path: Path, exc: OSError) -> LoadError:
    return LoadError(
        f"cannot read the file ({exc.strerror or exc}); was it moved or deleted during the load?",
        file=str(path),
    )


def read_text(path: Path, encoding: str | None = None, allow_empty: bool = False) -> str:
    """Read a text file strictly: a wrong encoding is an error, never silently replaced.

    A byte-order mark says the encoding for itself (UTF-8, -16, -32); otherwise the file
    is read as `encoding` (`--encoding`, UTF-8 by default).
    """
    raw = read_bytes(path)
    chosen = _encoding_of(raw, encoding or INPUT_ENCODING.get())
    wide = codecs.lookup(chosen).name.startswith(("utf-16", "utf-32"))
    if b"\x00" in raw[:8192] and not wide:
        raise LoadError(
            "looks like a binary file or UTF-16 without a byte-order mark; expected "
            f"{chosen} text (for UTF-16 say --encoding utf-16-le)",
            file=str(path),
        )
    try:
        text = raw.decode(chosen)
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise LoadError(
            f"not valid {chosen} (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
            "convert the file to UTF-8 or name its encoding with --encoding (e.g. latin-1)",
            file=str(path),
            line=line,
        ) from None
    if "\x00" in text:
        raise LoadError("contains NUL characters: a binary file?", file=str(path))
    text = text.removeprefix("\ufeff")
    if not text.strip() and not allow_empty:
        raise LoadError("the file is empty", file=str(path))
    return text
