"""Read-only publishing: -i mode, canned queries from metadata.yml, base_url, escaping."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from datasette.app import Datasette
from datasette.version import __version__ as datasette_version

from .utils import ROOT, file_digest, run_cli

pytestmark = pytest.mark.asyncio(loop_scope="function")

PAGES = [
    "/claims/-/claims",
    "/claims/-/claims?status=unverified&source=nis-south-korea",
    "/claims/-/claims/nis-3000-in-russia",
    "/claims/-/claims/compare/nk-troops-in-russia",
    "/claims/-/claims/compare/nk-supplies-russia-with-munitions",
    "/claims/-/claims/sources/south-korea",
]


def with_metadata(paths: list[str], **kwargs) -> Datasette:
    """metadata.yml as both versions read it: metadata on 0.65, metadata + config on 1.0a."""
    meta = yaml.safe_load((ROOT / "metadata.yml").read_text(encoding="utf-8"))
    options = {"metadata": meta}
    if not datasette_version.startswith("0."):
        options["config"] = meta
    return Datasette(paths, **options, **kwargs)


async def test_immutable_instance_serves_every_page_and_writes_nothing(seed_copy):
    before = file_digest(seed_copy)
    ds = Datasette([], immutables=[str(seed_copy)])
    assert ds.get_database("claims").is_mutable is False
    for path in PAGES:
        for variant in (path, path.replace("?", ".json?") if "?" in path else path + ".json"):
            response = await ds.client.get(variant)
            assert response.status_code == 200, variant
    data = (await ds.client.get("/claims/-/claims/compare/nk-troops-in-russia.json")).json()
    assert data["comparison"]["status"] == "corroborated"
    assert file_digest(seed_copy) == before


async def test_our_routes_accept_no_posts(seed_copy):
    before = file_digest(seed_copy)
    ds = Datasette([], immutables=[str(seed_copy)])
    for path in PAGES:
        response = await ds.client.post(path.split("?")[0], data={"status": "confirmed"})
        assert response.status_code in (403, 405), (path, response.status_code)
    assert file_digest(seed_copy) == before


async def test_canned_queries_from_metadata(seed_db_path):
    ds = with_metadata([str(seed_db_path)])
    await ds.invoke_startup()  # 1.0a stores config queries at startup
    response = await ds.client.get("/claims/disputed_propositions.json?_shape=array")
    assert response.status_code == 200
    disputed = {r["proposition_id"]: (r["asserted_by"], r["denied_by"]) for r in response.json()}
    assert disputed == {
        "nk-supplies-russia-with-munitions": (
            "Government of the United States",
            "Government of Russia",
        ),
        "nk-russia-alliance-dangerous": ("Government of the United States", "Government of Russia"),
    }
    corroborated = (
        await ds.client.get("/claims/corroborated_propositions.json?_shape=array")
    ).json()
    assert [r["proposition_id"] for r in corroborated] == ["nk-troops-in-russia"]
    figures = (
        await ds.client.get("/claims/claims_with_figures.json?_shape=array&source=nis-south-korea")
    ).json()
    assert sorted(r["figure_value"] for r in figures) == [3000, 10000]
    page = (await ds.client.get("/claims/claims")).text
    assert "One attributed claim, with the exact span" in page


async def test_base_url_prefixes_every_link(seed_db_path):
    ds = Datasette([str(seed_db_path)], settings={"base_url": "/news/"})
    for path in PAGES:
        response = await ds.client.get(path)
        assert response.status_code == 200
        links = re.findall(r'(?:href|src)="(/[^"]*)"', response.text)
        assert links, path
        outside = [link for link in links if not link.startswith("/news/")]
        assert outside == [], (path, outside)


async def test_hostile_text_is_escaped_on_every_page(tmp_path):
    payload = '"><img src=x onerror=alert(1)><script>alert(2)</script>'
    (tmp_path / "h.txt").write_text(f"Intro. She said {payload} today.", encoding="utf-8")
    (tmp_path / "sources.yml").write_text(
        yaml.safe_dump(
            {"sources": [{"id": "mallory", "name": payload, "kind": "person", "role": payload}]}
        ),
        encoding="utf-8",
    )
    (tmp_path / "h.claims.yml").write_text(
        yaml.safe_dump(
            {
                "document": {"file": "h.txt", "title": payload},
                "propositions": [{"id": "p1", "statement": payload, "topic": payload}],
                "claims": [
                    {
                        "id": "x1",
                        "text": payload,
                        "source": "mallory",
                        "quote_kind": "direct",
                        "stance": "asserts",
                        "speaker": payload,
                        "hedge": payload,
                        "proposition": "p1",
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    db = tmp_path / "h.db"
    assert run_cli("load", db, tmp_path).exit_code == 0
    ds = Datasette([str(db)])
    for path in (
        "/h/-/claims",
        "/h/-/claims/x1",
        "/h/-/claims/compare/p1",
        "/h/-/claims/sources/mallory",
    ):
        text = (await ds.client.get(path)).text
        assert "<script>alert(2)" not in text, path
        assert "<img src=x" not in text, path
        assert "&lt;script&gt;alert(2)&lt;/script&gt;" in text, path


@pytest.mark.filterwarnings("ignore::pytest.PytestWarning")
def test_metadata_column_descriptions_name_real_columns(seed_db_path):
    import sqlite3

    meta = yaml.safe_load((ROOT / "metadata.yml").read_text(encoding="utf-8"))
    conn = sqlite3.connect(seed_db_path)
    for table, spec in meta["databases"]["claims"]["tables"].items():
        columns = {r[1] for r in conn.execute(f"pragma table_info([{table}])")}
        assert columns, table
        assert set(spec.get("columns", {})) <= columns, table
        assert set(spec.get("facets", [])) <= columns, table


WRITE_ROUTES = [
    (
        "/claims/-/claims/us-accuses-munitions/review",
        {"status": "refuted", "evidence": "https://e.org/x"},
    ),
    ("/claims/-/claims/us-accuses-munitions/link", {"proposition": "nk-troops-in-russia"}),
    ("/claims/-/claims/us-accuses-munitions/unlink", {}),
    (
        "/claims/-/claims/compare/nk-troops-in-russia/merge",
        {"into": "nk-troops-prepared-for-combat"},
    ),
    ("/claims/-/claims/compare/nk-troops-in-russia/split", {"claims": "nis-3000-in-russia"}),
]


async def test_every_write_route_refuses_a_published_instance(seed_copy, tmp_path):
    """Even a reviewer with the permission and a valid CSRF token cannot write."""
    inspect_file = tmp_path / "inspect.json"
    datasette = str(Path(sys.executable).with_name("datasette"))
    subprocess.run(
        [datasette, "inspect", str(seed_copy), "--inspect-file", str(inspect_file)], check=True
    )
    grant = {"plugins": {"datasette-claims": {"review_allow": {"id": "anna"}}}}
    options = {"config": grant} if not datasette_version.startswith("0.") else {}
    ds = Datasette(
        immutables=[str(seed_copy)],
        inspect_data=json.loads(inspect_file.read_text(encoding="utf-8")),
        metadata=grant,
        **options,
    )
    before = file_digest(seed_copy)
    cookies = {"ds_actor": ds.sign({"a": {"id": "anna"}}, "actor")}
    page = await ds.client.get("/claims/-/claims/us-accuses-munitions", cookies=cookies)
    token = re.search(r'name="csrftoken" value="([^"]*)"', page.text)
    if "ds_csrftoken" in page.cookies:
        cookies["ds_csrftoken"] = page.cookies["ds_csrftoken"]
    for path, data in WRITE_ROUTES:
        response = await ds.client.post(
            path,
            data={**data, "csrftoken": token.group(1) if token else "", "by": "anna"},
            cookies=cookies,
        )
        assert response.status_code in (403, 405), (path, response.status_code)
        assert (await ds.client.get(path)).status_code in (403, 404, 405), path
    assert file_digest(seed_copy) == before


@pytest.mark.slow  # over 5 s
async def test_every_link_resolves_under_base_url(seed_db_path):
    """Behind a proxy at /news/, every link on every page leads somewhere real."""
    ds = Datasette([str(seed_db_path)], settings={"base_url": "/news/"})
    todo = ["/news" + path for path in PAGES] + ["/news/", "/news/claims"]
    seen: set[str] = set()
    checked = 0
    while todo:
        link = todo.pop()
        if link in seen:
            continue
        seen.add(link)
        assert link.startswith("/news/"), link
        response = await ds.client.get(link[len("/news") :].replace("&amp;", "&"))
        assert response.status_code in (200, 302), (link, response.status_code)
        checked += 1
        # Follow the links of our own pages one level deep; others are only fetched.
        if "/-/claims" in link and response.headers.get("content-type", "").startswith("text/html"):
            for found in re.findall(r'(?:href|src)="(/[^"#]*)', response.text):
                if found not in seen and "/-/static" not in found:
                    todo.append(found)
    assert checked > 30
