"""Plain CSV/JSON claim lists: the exporter's columns, read back and written out."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from datasette_claims.errors import LoadError
from datasette_claims.formats.base import ImportBatch, Importer
from datasette_claims.formats.tabular import date_problem, rows_of
from datasette_claims.inputs.decoding import read_text
from datasette_claims.inputs.fields import id_problem, url_problem, usable_figure
from datasette_claims.model import QUOTE_KINDS, STANCES, STATUSES, proposition_row

# One row per claim and review (a claim without reviews gets one row).
EXPORT_SQL = """
select c.id, c.text, c.source_id as source, s.name as source_name, s.kind as source_kind,
    s.role as source_role, s.country as source_country,
    s.independence_group as source_institution, g.name as source_institution_name,
    c.claimed_at as date, c.status,
    c.stance, c.quote_kind, c.hedge, d.url, d.title, d.publisher,
    c.proposition_id as proposition, p.statement as proposition_statement,
    p.topic as proposition_topic, c.figure_value, c.figure_unit, c.figure_as_of,
    r.verdict, r.reviewer, r.reviewer_url, r.url as review_url, r.reviewed_at,
    r.rating_value, r.best_rating, r.worst_rating, r.status as review_status,
    r.kind as review_kind
from claims c
left join sources s on s.id = c.source_id
left join sources g on g.id = s.independence_group
left join documents d on d.id = c.document_id
left join propositions p on p.id = c.proposition_id
left join (
    select claim_id, verdict, reviewer, reviewer_url, url, reviewed_at, rating_value,
        best_rating, worst_rating, status, id as sort_key, 'fact-check' as kind
    from claim_reviews {review_where}
    union all
    -- Reviews made here: the reviewer's decision, with the first piece of evidence.
    select c2.id, c2.status, c2.reviewed_by, null,
        (select e.url from evidence e where e.claim_id = c2.id order by e.id limit 1),
        c2.reviewed_at, null, null, null, c2.status, 1e15, 'person'
    from claims c2
    where c2.reviewed_at is not null {own_where} and not exists (
        select 1 from claim_reviews r2
        where r2.claim_id = c2.id and r2.reviewer = c2.reviewed_by
    )
) r on r.claim_id = c.id
{where}
order by c.rowid, r.sort_key
"""


CSV_COLUMNS = [
    "id",
    "text",
    "source",
    "source_name",
    "source_kind",
    "source_role",
    "source_country",
    "source_institution",
    "source_institution_name",
    "date",
    "status",
    "stance",
    "quote_kind",
    "hedge",
    "url",
    "title",
    "publisher",
    "proposition",
    "proposition_statement",
    "proposition_topic",
    "figure_value",
    "figure_unit",
    "figure_as_of",
    "verdict",
    "reviewer",
    "review_url",
    "reviewed_at",
]


def export_sql(claim_id: bool = False) -> str:
    """The export query, for every claim or (with :claim_id) one, using the indexes."""
    if not claim_id:
        return EXPORT_SQL.format(where="", review_where="", own_where="")
    return EXPORT_SQL.format(
        where="where c.id = :claim_id",
        review_where="where claim_id = :claim_id",
        own_where="and c2.id = :claim_id",
    )


# CSV injection (OWASP): a value of the form '* then = + - @ tab or CR gets one more leading '
# ('=x -> ''=x, so it reverses); the importer drops one. Numbers in numeric columns stay.
FORMULA_CELL = re.compile(r"'*[=+\-@\t\r]")
ESCAPED_CELL = re.compile(r"'+[=+\-@\t\r]")
NUMERIC_COLUMNS = {"figure_value"}
PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def csv_cell(column: str, value: Any) -> Any:
    """VALUE as written to COLUMN of the export, escaped so no spreadsheet runs it."""
    text = str(value)
    if column in NUMERIC_COLUMNS and PLAIN_NUMBER.fullmatch(text):
        return value
    return "'" + text if FORMULA_CELL.match(text) else value


def csv_value(cell: str) -> str:
    """A plain CSV cell as the value it stands for: the export's escaping undone."""
    return cell[1:] if ESCAPED_CELL.match(cell) else cell


def csv_values(row: Any) -> dict[str, Any]:
    """A plain CSV row (column -> cell) with our export's formula escaping undone."""
    # Only a cell that begins with ' can be escaped: the others are kept without a regex.
    return {k: csv_value(v) if v[:1] == "'" else v for k, v in row.items()}


def csv_text(rows: Iterable[dict[str, Any]], raw: bool = False) -> Iterator[str]:
    """The plain CSV the `csv` importer reads: one line per claim and review.

    Cells that a spreadsheet would run as formulas are escaped unless RAW."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    yield buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        values = {k: ("" if row.get(k) is None else row[k]) for k in CSV_COLUMNS}
        writer.writerow(values if raw else {k: csv_cell(k, v) for k, v in values.items()})
        yield buffer.getvalue()


# The columns `datasette claims export --format csv` writes: what this importer reads back.
PLAIN_COLUMNS = set(CSV_COLUMNS)


class PlainImporter(Importer):
    name = "csv"
    description = "Plain CSV or JSON list of claims with the documented columns"

    def detect(self, path: Path, head: str) -> bool:
        first = head.split("\n", 1)[0]
        if path.suffix.lower() == ".csv":
            return "text" in [c.strip() for c in next(csv.reader([first]), [])]
        if path.suffix.lower() == ".json":
            return head.lstrip().startswith("[") and '"text"' in head
        return False

    def read(self, path: Path, batch: ImportBatch) -> None:
        if path.suffix.lower() == ".json":
            try:
                data = json.loads(read_text(path))
            except json.JSONDecodeError as exc:
                raise LoadError(
                    f"malformed JSON: {exc.msg}", file=str(path), line=exc.lineno
                ) from None
            except (ValueError, RecursionError) as exc:  # a 5000-digit number, deep nesting
                raise LoadError(f"unreadable JSON: {exc}", file=str(path)) from None
            if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
                raise LoadError("a JSON claim list is a list of objects", file=str(path))
            records: Any = ((None, {k: "" if v is None else v for k, v in r.items()}) for r in data)
        else:
            records = ((line, csv_values(row)) for line, row in rows_of(path, ","))
        # Dates and URLs repeat from row to row: each check's answer for a value is kept
        # (per check, so a date is never taken as a checked URL), the error still per line.
        checked: dict[tuple[Callable[[str], str | None], str], str | None] = {}
        for number, (line, row) in enumerate(records, 1):
            self._one(path, batch, line or number, row, checked)

    def _one(
        self,
        path: Path,
        batch: ImportBatch,
        line: int,
        row: dict[str, Any],
        checked: dict[tuple[Callable[[str], str | None], str], str | None],
    ) -> None:
        # Each column cleaned once: blank means absent.
        value = {k: c for k, v in row.items() if v is not None and (c := str(v).strip())}.get

        for key, allowed in (
            ("stance", STANCES),
            ("quote_kind", QUOTE_KINDS),
            ("status", STATUSES),
        ):
            given = value(key)
            if given and given not in allowed:
                raise LoadError(
                    f"'{given}' is not one of {', '.join(allowed)}",
                    file=str(path),
                    line=line,
                    field=key,
                )
        figure = value("figure_value")
        try:
            figure_value = float(figure) if figure else None
        except ValueError:
            figure_value = float("nan")
        if figure_value is not None and not usable_figure(figure_value):
            raise LoadError(
                f"'{figure}' is not a usable figure (a finite number below 10^15)",
                file=str(path),
                line=line,
                field="figure_value",
            )
        for key, check in (
            ("date", date_problem),
            ("figure_as_of", date_problem),
            ("reviewed_at", date_problem),
            ("url", url_problem),
            ("review_url", url_problem),
        ):
            given = value(key)
            if not given:
                continue
            known = (check, given)
            if known in checked:
                problem = checked[known]
            else:
                problem = checked[known] = check(given)
            if problem:
                raise LoadError(problem, file=str(path), line=line, field=key)
        # An id is taken as given: " y1" and "y1\n" are refused, not trimmed into "y1".
        raw_id = row.get("id")
        if isinstance(raw_id, (dict, list)):
            raise LoadError("an id is text", file=str(path), line=line, field="id")
        own_id = str(raw_id) if value("id") else None
        if figure_value is not None and figure_value.is_integer():
            figure_value = int(figure_value)
        institution = value("source_institution")
        if institution and institution != value("source"):
            # The institution the source counts as, so independence survives a round trip.
            batch.source(
                value("source_institution_name") or institution,
                kind="other",
                line=line,
                source_id=institution,
                stub=True,
                id_field="source_institution",
                name_field="source_institution_name",
            )
        source_id = batch.source(
            value("source_name") or value("source"),
            kind=value("source_kind") or "other",
            line=line,
            source_id=value("source"),
            role=value("source_role"),
        )
        if source_id and institution and institution != source_id:
            batch.sources[source_id].independence_group = institution
        if source_id and value("source_country"):
            batch.sources[source_id].country = value("source_country")
        extra = (
            {k: v for k, v in row.items() if k not in PLAIN_COLUMNS and v not in ("", None)}
            if not row.keys() <= PLAIN_COLUMNS  # the exporter's columns only: no extra
            else None
        )
        proposition, statement = value("proposition"), value("proposition_statement")
        problem = id_problem(proposition) if proposition and statement else None
        if problem:
            raise LoadError(problem, file=str(path), line=line, field="proposition")
        if proposition and statement:
            batch.propositions.setdefault(
                proposition,
                proposition_row(proposition, statement, value("proposition_topic")),
            )
        claim_id = batch.claim(
            text=str(row.get("text") or ""),
            key=f"plain:{value('id') or value('text')}",
            claim_id=own_id,
            line=line,
            source_id=source_id,
            url=value("url"),
            title=value("title"),
            publisher=value("publisher"),
            claimed_at=value("date"),
            stance=value("stance") or "asserts",
            quote_kind=value("quote_kind") or "paraphrase",
            extra=extra or None,
            hedge=value("hedge"),
            proposition_id=value("proposition"),
            figure_value=figure_value,
            figure_unit=value("figure_unit"),
            figure_as_of=value("figure_as_of"),
        )
        if value("verdict") or value("reviewer"):
            batch.review(
                claim_id,
                reviewer=value("reviewer"),
                verdict=value("verdict"),
                status=value("status"),
                url=value("review_url"),
                reviewed_at=value("reviewed_at"),
                line=line,
            )
