"""The LIAR data set (PolitiFact statements, TSV), with each speaker's credit history."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from datasette_claims.errors import LoadError
from datasette_claims.formats.base import ImportBatch, Importer
from datasette_claims.formats.tabular import rows_of

LIAR_LABELS = ("barely-true", "false", "half-true", "mostly-true", "pants-fire")


LIAR_ALL_LABELS = {*LIAR_LABELS, "true"}


class LiarImporter(Importer):
    name = "liar"
    description = "LIAR dataset TSV (PolitiFact statements, 14 columns, no header)"

    def detect(self, path: Path, head: str) -> bool:
        first = head.split("\n", 1)[0].split("\t")
        return path.suffix.lower() == ".tsv" and len(first) == 14 and first[0].endswith(".json")

    def read(self, path: Path, batch: ImportBatch) -> None:
        # LIAR quotes nothing: quotation marks in statements are literal.
        for line, values in rows_of(path, "\t", header=False, quoting=csv.QUOTE_NONE):
            assert isinstance(values, list)
            if len(values) != 14:
                raise LoadError(
                    f"a LIAR row has 14 columns, this one has {len(values)}",
                    file=str(path),
                    line=line,
                )
            (
                statement_id,
                label,
                statement,
                subjects,
                speaker,
                job,
                state,
                party,
                *counts_and_context,
            ) = values
            counts, context = counts_and_context[:5], counts_and_context[5]
            if label not in LIAR_ALL_LABELS:
                raise LoadError(
                    f"unknown LIAR label '{label}'", file=str(path), line=line, field="label"
                )
            try:
                numbers = [int(float(c or 0)) for c in counts]
            except ValueError:
                raise LoadError(
                    "credit history counts must be numbers",
                    file=str(path),
                    line=line,
                    field="credit history",
                ) from None
            speaker_id = None
            if speaker.strip():
                name = " ".join(part.capitalize() for part in re.split(r"[-_ ]+", speaker) if part)
                speaker_id = batch.source(
                    name,
                    kind="person",
                    line=line,
                    source_id=speaker.strip().lower(),
                    role=job or None,
                    extra={k: v for k, v in (("state", state), ("party", party)) if v} or None,
                    id_field="speaker",
                    name_field="speaker",
                )
                for label_name, count in zip(LIAR_LABELS, numbers, strict=True):
                    if speaker_id is None:  # a speaker field of only separators names no one
                        break
                    key = (speaker_id, "politifact-credit-history", label_name)
                    batch.ratings[key] = max(batch.ratings.get(key, 0), count)
            external = statement_id.removesuffix(".json")
            claim_id = batch.claim(
                text=statement,
                key=f"liar:{external}",
                claim_id=f"liar-{external}",
                line=line,
                source_id=speaker_id,
                title=context or None,
                publisher="PolitiFact",
                external_id=external,
                extra={
                    k: v
                    for k, v in (("subjects", subjects), ("context", context), ("label", label))
                    if v
                },
            )
            batch.review(claim_id, reviewer="PolitiFact", verdict=label)
