"""Reading tabular claim data (CSV, TSV, JSON lists) row by row, with line numbers."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from datasette_claims.errors import LoadError
from datasette_claims.inputs.decoding import read_text
from datasette_claims.inputs.fields import ISO_DATE, date_problem

csv.field_size_limit(64 * 1024 * 1024)
__all__ = ["ISO_DATE", "date_problem", "rows_of"]  # the date checks live with the others


def rows_of(
    path: Path,
    delimiter: str,
    header: bool = True,
    quoting: Literal[0, 1, 2, 3] = csv.QUOTE_MINIMAL,
) -> Iterator[tuple[int, dict[str, str] | list[str]]]:
    """(line, row) pairs; broken quoting is an error naming the line."""
    text = read_text(path)
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=delimiter, strict=True, quoting=quoting
    )
    names: list[str] | None = None
    started = 1  # a quoted field may span lines: a record is named by its first line
    try:
        for values in reader:
            line, started = started, reader.line_num + 1
            if not values or not any(map(str.strip, values)):
                continue
            if header and names is None:
                names = [v.strip() for v in values]
                seen: set[str] = set()
                for twice in names:
                    if twice not in seen:
                        seen.add(twice)
                        continue
                    # A second column of the same name would silently replace the first.
                    raise LoadError(
                        f"the header names the column '{twice}' twice",
                        file=str(path),
                        line=line,
                        field=twice or None,
                    )
                continue
            if names is not None:
                if len(values) != len(names):
                    raise LoadError(
                        f"row has {len(values)} fields, the header has {len(names)}",
                        file=str(path),
                        line=line,
                    )
                yield line, dict(zip(names, values, strict=True))
            else:
                yield line, values
    except csv.Error as exc:
        hint = (
            "; a quote opened in this record is never closed" if "end of data" in str(exc) else ""
        )
        raise LoadError(f"malformed CSV: {exc}{hint}", file=str(path), line=started) from None


# --- ClaimsKG: flattened ClaimReview columns ------------------------------------------------


# --- LIAR: PolitiFact statements with the speaker's credit history ---------------------------


# --- Plain CSV / JSON claim lists ------------------------------------------------------------
