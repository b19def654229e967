"""Shards of extracted claims (JSON Lines) written by `datasette claims extract-map`."""

from __future__ import annotations

import json
from pathlib import Path

from datasette_claims.errors import LoadError
from datasette_claims.formats.base import ImportBatch, Importer
from datasette_claims.inputs.decoding import read_text
from datasette_claims.model import EXTRACTED_QUOTE_KINDS, claim_id, claim_row


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
            try:
                document, start, end = (
                    record["document_id"],
                    int(record["start"]),
                    int(record["end"]),
                )
                text = record["text"]
            except (KeyError, TypeError, ValueError) as exc:
                raise LoadError(
                    f"a shard record needs document_id, start, end and text ({exc})",
                    file=str(path),
                    line=line_number,
                ) from None
            figures = record.get("figures") or []
            figure = next((f for f in figures if f.get("value") is not None), None) or (
                figures[0] if figures else None
            )
            row_id = claim_id(document, start, end)
            batch.claims[row_id] = claim_row(
                id=row_id,
                document_id=document,
                source_id=record.get("source_id"),
                text=text,
                start=start,
                end=end,
                speaker=record.get("speaker"),
                quote_kind=EXTRACTED_QUOTE_KINDS.get(record.get("quote"), "paraphrase"),
                stance=record.get("stance") or "asserts",
                hedge=record.get("hedge"),
                figure_value=figure.get("value") if figure else None,
                figure_unit=figure.get("unit") if figure else None,
                figure_text=figure.get("text") if figure else None,
                figure_as_of=figure.get("as_of") if figure else None,
                figure_is_forecast=bool(figure and figure.get("forecast")),
                origin="extracted",
                confidence=record.get("confidence"),
                file=str(path),
            )


SHARD_SUFFIX = ".extracted.jsonl"
