"""Load rate of `datasette claims load` against plain sqlite-utils insert_all of the same rows.

    python bench/load.py [COPIES]

COPIES variants of the seed article (30 claims each) are written to a temporary folder.
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
from pathlib import Path

import sqlite_utils

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import scaled_corpus, timed  # noqa: E402

from datasette_claims.loader import plan_load  # noqa: E402
from datasette_claims.store import apply_plan, open_database  # noqa: E402


def main(copies: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        corpus = scaled_corpus(Path(tmp) / "corpus", copies)
        ours = Path(tmp) / "ours.db"

        def load() -> None:
            db = open_database(ours)
            apply_plan(db, plan_load(db, [corpus]))
            db.close()

        first = timed(load)
        again = timed(load)
        n_claims = sqlite3.connect(ours).execute("select count(*) from claims").fetchone()[0]

        rows = {
            t: [dict(zip([d[0] for d in cur.description], r, strict=True)) for r in cur.fetchall()]
            for t in ("documents", "sources", "propositions", "claims")
            for cur in [sqlite3.connect(ours).execute(f"select * from [{t}]")]
        }

        def baseline() -> None:
            path = Path(tmp) / "plain.db"
            path.unlink(missing_ok=True)
            db = sqlite_utils.Database(path)
            for table, table_rows in rows.items():
                db[table].insert_all(table_rows, pk="id")
            db.close()

        plain = timed(baseline, repeat=3)
        print(f"claims: {n_claims} in {copies} documents")
        print(f"{'':32}{'seconds':>10}{'claims/s':>12}{'ratio':>8}")
        print(f"{'sqlite-utils insert_all':32}{plain:10.3f}{n_claims / plain:12,.0f}{1:8.2f}")
        print(
            f"{'claims load (first)':32}{first:10.3f}{n_claims / first:12,.0f}{plain / first:8.2f}"
        )
        label = "claims load (unchanged again)"
        print(f"{label:32}{again:10.3f}{n_claims / again:12,.0f}{plain / again:8.2f}")
        print("ratio = baseline time / our time (>= 1 means at least as fast as the baseline)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
