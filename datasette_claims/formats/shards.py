"""Shards of extracted claims (JSON Lines) written by `datasette claims extract-map`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from datasette_claims.errors import LoadError
from datasette_claims.formats.base import ImportBatch, Importer
from datasette_claims.inputs.decoding import read_text
from datasette_claims.inputs.fields import Fields
from datasette_claims.inputs.structured import Mapping
from datasette_claims.model import EXTRACTED_QUOTE_KINDS, STANCES, claim_id, claim_row


class ExtractedShardImporter(Importer):
    name = "extracted"
    description = "JSON Lines shards of extracted claims (datasette claims extract-map)"

    def detect(self, path: Path, head: str) -> bool:
        return path.name.endswith(".extracted.jsonl")

    def read(self, path: Path, batch: ImportBatch) -> None:
        for line_number, line in enumerate(read_text(path, allow_empty=True).splitlines(), 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise LoadError(
                    f"malformed JSON: {exc.msg}", file=str(path), line=line_number
                ) from None
            except (ValueError, RecursionError) as exc:  # 5000-digit numbers, deep nesting
                raise LoadError(
                    f"unreadable JSON: {exc}", file=str(path), line=line_number
                ) from None
            if not isinstance(record, dict) or not all(
                k in record for k in ("document_id", "start", "end", "text")
            ):
                raise LoadError(
                    "a shard record needs document_id, start, end and text",
                    file=str(path),
                    line=line_number,
                )
            self._one(_located(record, line_number), str(path), batch)

    def _one(self, record: Mapping, path: str, batch: ImportBatch) -> None:
        # Every value is checked as a curated file's would be: a bad one names its field.
        r = Fields(record, path, "shard record")
        document = r.text("document_id", required=True) or ""
        start, end = r.integer("start"), r.integer("end")
        if start is None or end is None or end < start:
            raise r.error(f"the span {start}..{end} is not a start and end offset", "start")
        text = record["text"]
        if not isinstance(text, str) or not text.strip():
            raise r.error("a shard record needs the claim's 'text'", "text")
        r.url("url")  # records carry none today; one that does must be http(s)
        confidence = record.get("confidence")
        if confidence is not None and not (
            isinstance(confidence, (int, float))
            and not isinstance(confidence, bool)
            and 0 <= confidence <= 1  # NaN compares false
        ):
            raise r.error(f"expected a number from 0 to 1, got {confidence!r}", "confidence")
        figures: list[dict[str, Any]] = []
        for number, item in enumerate(r.items_of("figures")):
            where = f"figures[{number}]"
            try:
                located = _located(item, r.line()) if isinstance(item, dict) else item
                f = Fields(located, path, "figure", r.line())
                figures.append(
                    {
                        "value": f.number("value"),
                        "unit": f.text("unit"),
                        "text": f.text("text"),
                        "as_of": f.date("as_of"),
                        "forecast": f.boolean("forecast"),
                    }
                )
            except LoadError as exc:
                exc.field = f"{where}.{exc.field}" if exc.field else where
                raise
        figure = next((f for f in figures if f["value"] is not None), None) or (
            figures[0] if figures else None
        )
        row_id = claim_id(document, start, end)
        batch.claims[row_id] = claim_row(
            id=row_id,
            document_id=document,
            source_id=r.text("source_id"),
            text=text,
            start=start,
            end=end,
            speaker=r.text("speaker"),
            quote_kind=EXTRACTED_QUOTE_KINDS.get(r.text("quote") or "", "paraphrase"),
            stance=r.choice("stance", STANCES, default="asserts"),
            hedge=r.text("hedge"),
            figure_value=figure["value"] if figure else None,
            figure_unit=figure["unit"] if figure else None,
            figure_text=figure["text"] if figure else None,
            figure_as_of=figure["as_of"] if figure else None,
            figure_is_forecast=bool(figure and figure["forecast"]),
            origin="extracted",
            confidence=confidence,
            file=path,
        )


def _located(record: dict[str, Any], line: int | None) -> Mapping:
    """The record as a Mapping whose every key is on LINE, so errors name it."""
    located = Mapping(record)
    located.line, located.key_lines = line, {}
    return located


SHARD_SUFFIX = ".extracted.jsonl"
