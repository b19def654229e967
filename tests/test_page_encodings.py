"""Web pages are decoded as browsers decode them: BOM, then the HTTP header (see
test_fetch.py), then <meta charset>, then a detector; invalid bytes become U+FFFD, counted,
stored on the document and reported to the user."""

from __future__ import annotations

import pytest

from datasette_claims.inputs.charset import decode_page

from .utils import SEEDS, rows, run_cli

BODY = (
    "<p>Nach Angaben des südkoreanischen Geheimdienstes sind 3000 Soldaten in Russland.</p>"
    "<p>Die Truppen befänden sich in Militäreinrichtungen, wo sie für den Einsatz "
    "vorbereitet würden, sagte ein Sprecher in Seoul am Freitag.</p>"
)


def page(head: str = "", body: str = BODY) -> str:
    return f'<!DOCTYPE html><html lang="de"><head>{head}<title>Truppen</title></head><body><article>{body}</article></body></html>'  # noqa: E501


def _load(tmp_path, raw: bytes, name: str = "page.html"):
    path = tmp_path / name
    path.write_bytes(raw)
    db = tmp_path / "claims.db"
    result = run_cli("load", db, SEEDS / "sources.yml", path)
    return db, path, result


def test_one_invalid_byte_in_a_utf8_page_costs_one_character_and_is_reported(tmp_path):
    raw = page('<meta charset="utf-8">').encode("utf-8")
    at = raw.index(b"Sprecher")
    raw = raw[:at] + b"\xff" + raw[at:]
    db, path, result = _load(tmp_path, raw)
    assert result.exit_code == 0, result.output
    ((text, encoding, replacements),) = rows(
        db, "select text, encoding, replacements from documents"
    )
    assert "südkoreanischen Geheimdienstes" in text and "befänden" in text  # no mojibake
    assert text.count("\ufffd") == 1 and "\ufffdSprecher" in text
    assert (encoding, replacements) == ("utf-8", 1)
    assert f"warning: {path}: 1 invalid byte sequence in utf-8 replaced" in result.output
    assert f"the first at byte offset {at})" in result.output
    # The registry still links the speaker: its alias is spelt as the page spells it.
    assert rows(db, "select count(*) from claims where source_id = 'nis-south-korea'") != [(0,)]


@pytest.mark.parametrize(
    ("head", "encoding"),
    [
        ('<meta charset="windows-1252">', "cp1252"),
        ('<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">', "cp1252"),
        ("<!-- <meta charset=utf-8> --><meta charset=latin1>", "cp1252"),
        ("", None),  # no declaration: the detector
    ],
)
def test_a_legacy_page_is_read_in_its_declared_or_detected_encoding(tmp_path, head, encoding):
    db, _, result = _load(tmp_path, page(head).encode("cp1252"))
    assert result.exit_code == 0, result.output
    ((text, stored, replacements),) = rows(db, "select text, encoding, replacements from documents")
    assert "südkoreanischen" in text and "befänden" in text
    assert replacements == 0 and "warning" not in result.output
    if encoding:
        assert stored == encoding
    else:
        assert stored and "Ã" not in text  # a detected single-byte encoding


def test_a_byte_order_mark_wins_over_a_meta_charset(tmp_path):
    raw = "\ufeff".encode("utf-16-le") + page("<meta charset=windows-1252>").encode("utf-16-le")
    db, _, result = _load(tmp_path, raw)
    assert result.exit_code == 0, result.output
    assert rows(db, "select encoding from documents") == [("utf-16-le",)]
    assert "südkoreanischen" in rows(db, "select text from documents")[0][0]


def test_invalid_sequences_are_replaced_as_the_standard_says():
    """One U+FFFD per maximal invalid subpart (Chromium gives the same for these)."""
    for bad, replaced in (
        (b"\xe2\x82A", "\ufffdA"),  # a truncated sequence: one
        (b"\xed\xa0\x80", "\ufffd" * 3),  # a surrogate: each byte
        (b"\xf0\x80\x80\x80", "\ufffd" * 4),  # overlong: each byte
        (b"\xf0\x9f\x98", "\ufffd"),  # a truncated emoji at the end: one
    ):
        decoded = decode_page(b"<meta charset=utf-8>x" + bad)
        assert decoded.text == "<meta charset=utf-8>x" + replaced, bad
        assert decoded.replacements == replaced.count("\ufffd")
        assert decoded.first_replacement == 21
    # windows-1252's five undefined bytes are C1 controls in browsers, not replacements.
    decoded = decode_page(b"<meta charset=windows-1252>\x81\x80")
    assert decoded.text.endswith("\x81€") and decoded.replacements == 0


def test_a_plain_text_article_with_an_invalid_byte_is_still_refused(tmp_path):
    path = tmp_path / "article.txt"
    text = b"Der Geheimdienst sagte, 3000 Soldaten seien in Russland.\n"
    path.write_bytes(text + b"\xff")
    result = run_cli("load", tmp_path / "claims.db", path)
    assert result.exit_code != 0
    assert f"not valid utf-8 (byte 0xff at offset {len(text)})" in result.output
