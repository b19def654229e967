"""The "Extract claims" enrichment (datasette-enrichments, the `[enrichments]` extra).

A user picks a table of articles and its text column (title, date, URL and outlet columns
optional) from the table's action menu; each row becomes a document whose claims go into
the claims tables of the same database, through the load's store, with history. Each row
is its own transaction: a row that fails is reported on the job and leaves nothing
behind, and the others go on.
"""

from __future__ import annotations

import sqlite3
from functools import partial
from typing import Any

import sqlite_utils
from datasette_enrichments import Enrichment
from wtforms import Form, SelectField, StringField
from wtforms.validators import DataRequired, ValidationError

from datasette_claims.db.connection import locked
from datasette_claims.errors import ClaimsError, WriterBusy
from datasette_claims.extract import (
    DEFAULT_EXTRACTOR,
    Extractor,
    choose_extractors,
    registered_extractors,
)
from datasette_claims.load.table_rows import RowResult, TableRow, clashing_tables, load_table_row
from datasette_claims.web.forms import _own_transaction, _wait_seconds
from datasette_claims.web.permissions import ADD_ACTION, can_review

# The optional mappings: form field -> the article field its column fills.
OPTIONAL_COLUMNS = {
    "title_column": "title",
    "date_column": "published_at",
    "url_column": "url",
    "outlet_column": "publisher",
}


class ExtractClaims(Enrichment):
    name = "Extract claims"
    slug = "datasette-claims-extract"
    description = (
        "Find attributed claims in a column of article text and add them to this database's "
        "claims tables (datasette-claims), with history; each row is its own transaction."
    )
    batch_size = 10

    async def get_config_form(self, datasette: Any, db: Any, table: str) -> type[Form]:
        columns = await db.table_columns(table)
        text_columns = [c for c in columns if c in ("text", "body", "content", "article")]
        clashing = await db.execute_fn(lambda conn: clashing_tables(sqlite_utils.Database(conn)))
        opt_in = {e.name: e for e in registered_extractors(datasette) if not e.default}
        extractors = [DEFAULT_EXTRACTOR] + sorted(opt_in)

        def ours_only(form: Form, field: Any) -> None:
            if clashing:
                raise ValidationError(
                    f"This database already has tables named {', '.join(clashing)} that "
                    "datasette-claims did not create; extract claims into another database."
                )

        def needs_model(form: Form, field: Any) -> None:
            chosen = opt_in.get(form.extractor.data)
            if chosen is not None and chosen.needs_model and not (field.data or "").strip():
                raise ValidationError(f"The {form.extractor.data} extractor needs a model name.")

        optional = [("", "-- none --")] + [(c, c) for c in columns]

        class ConfigForm(Form):
            text_column = SelectField(
                "Text column",
                choices=[(c, c) for c in columns],
                default=text_columns[0] if text_columns else None,
                validators=[DataRequired(), ours_only],
                description="The column holding each article's text",
            )
            title_column = SelectField("Title column", choices=optional, default="")
            date_column = SelectField(
                "Date column", choices=optional, default="", description="ISO 8601 dates"
            )
            url_column = SelectField("URL column", choices=optional, default="")
            outlet_column = SelectField("Outlet column", choices=optional, default="")
            language = SelectField(
                "Language",
                choices=[("", "detect per row"), ("de", "German"), ("en", "English")],
                default="",
            )
            extractor = SelectField(
                "Extractor",
                choices=[(e, e) for e in extractors],
                default=DEFAULT_EXTRACTOR,
                description="rules: the built-in German and English rules",
            )
            model = StringField(
                "Model",
                validators=[needs_model],
                description="For a model-backed extractor (llm): the llm model name",
            )

        return ConfigForm

    async def initialize(self, datasette: Any, db: Any, table: str, config: dict) -> None:
        clashing = await db.execute_fn(lambda conn: clashing_tables(sqlite_utils.Database(conn)))
        if clashing:  # the form said so already; a job posted around it stops here
            raise ClaimsError(f"tables not made by datasette-claims: {', '.join(clashing)}")

    async def enrich_batch(
        self,
        datasette: Any,
        db: Any,
        table: str,
        rows: list[dict[str, Any]],
        pks: list[str],
        config: dict,
        job_id: int,
    ) -> int:
        actor = await self._allowed_actor(datasette, db, job_id)
        try:
            extractors = choose_extractors(
                config.get("extractor") or DEFAULT_EXTRACTOR,
                datasette,
                model=config.get("model") or None,
            )
        except ClaimsError as exc:
            raise self.Cancel(str(exc)) from None
        done = 0
        for row in rows:
            key = [row.get(pk) for pk in pks]
            article = TableRow(
                table=table,
                pk=key,
                text=row.get(config["text_column"]),
                language=config.get("language") or None,
                **{
                    target: row.get(config[field])
                    for field, target in OPTIONAL_COLUMNS.items()
                    if config.get(field)
                },
            )
            try:
                await prepare(extractors, article)
                await db.execute_write_fn(
                    partial(_write_row, article=article, actor=actor, extractors=extractors),
                    block=True,
                    **_own_transaction(db),
                )
                done += 1
            except WriterBusy:
                raise self.Pause(
                    f"the database is busy (another write for {_wait_seconds()} s); resume later"
                ) from None
            except (ClaimsError, sqlite3.Error) as exc:
                await self.log_error(db, job_id, [key[0] if len(key) == 1 else key], str(exc))
        return done

    async def _allowed_actor(self, datasette: Any, db: Any, job_id: int) -> str:
        """Who runs the job, if they may add claims here (claims-add); else the job stops."""
        if not db.is_mutable:
            raise self.Cancel("the database is immutable; claims cannot be added to it")
        found = (
            await db.execute("select actor_id from _enrichment_jobs where id = ?", [job_id])
        ).first()
        actor_id = found[0] if found else None
        actor = {"id": actor_id} if actor_id else None
        if not await can_review(datasette, actor, db.name, ADD_ACTION):
            raise self.Cancel(
                f"{actor_id or 'an anonymous actor'} may not add claims to this database "
                f"(the {ADD_ACTION} permission: add_allow in the datasette-claims settings)"
            )
        return str(actor_id)


async def prepare(extractors: list[Extractor] | None, row: TableRow) -> None:
    """Let model-backed extractors fetch their answers before the write (see llm.py)."""
    import asyncio

    from datasette_claims.load.table_rows import row_article

    for extractor in extractors or []:
        warm = getattr(extractor, "prepare", None)
        if warm is not None:
            article = row_article(row)
            await asyncio.to_thread(warm, article.text, article.language)


def _write_row(
    conn: sqlite3.Connection, article: TableRow, actor: str, extractors: list[Extractor] | None
) -> RowResult:
    db = sqlite_utils.Database(conn)
    with locked(db, _wait_seconds()):
        return load_table_row(db, article, actor, extractors)
