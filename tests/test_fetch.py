"""Fetching articles from a real HTTP server on 127.0.0.1 that serves pages the tests write."""

from __future__ import annotations

import hashlib
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from .test_article_formats import PAGE
from .utils import rows, run_cli

ROUTES: dict[str, tuple[int, str, bytes, dict[str, str]]] = {
    "/article": (200, "text/html; charset=utf-8", PAGE.encode("utf-8"), {}),
    "/moved": (301, "text/html", b"", {"Location": "/article"}),
    "/missing": (404, "text/html", b"<html><body>Not found</body></html>", {}),
    "/report.pdf": (200, "application/pdf", b"%PDF-1.4 not a page", {}),
    "/loop": (302, "text/html", b"", {"Location": "/loop"}),
    "/big": (200, "text/html", b"<html><body><p>" + b"x" * 50_000 + b"</p></body></html>", {}),
    "/empty": (200, "text/html", b"<html><body><nav>Home</nav></body></html>", {}),
}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - the http.server API
        if self.path == "/slow":
            time.sleep(3)
        status, kind, body, headers = ROUTES.get(self.path, ROUTES["/missing"])
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)
        self.server.agents.append(self.headers.get("User-Agent"))

    def log_message(self, *args):
        pass


class Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # a client that gave up (timeout, size cap) closes the connection: expected


@pytest.fixture(scope="module")
def server():
    httpd = Server(("127.0.0.1", 0), Handler)
    httpd.agents = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", httpd
    httpd.shutdown()


def test_a_fetched_page_is_loaded_with_its_hash_time_and_archive(server, tmp_path):
    base, httpd = server
    db = tmp_path / "claims.db"
    result = run_cli("fetch", db, f"{base}/moved", "--archive", tmp_path / "raw")
    assert result.exit_code == 0, result.output
    ((text, url, fetched_at, raw_sha256, title),) = rows(
        db, "select text, url, fetched_at, raw_sha256, title from documents"
    )
    assert "Der Geheimdienst sagte am Freitag" in text and "Cookies" not in text
    assert url == "https://example.org/politik/soldaten"  # the page's canonical URL
    assert fetched_at and title == "Soldaten in Russland"
    assert raw_sha256 == hashlib.sha256(PAGE.encode("utf-8")).hexdigest()
    assert (tmp_path / "raw" / f"{raw_sha256}.html").read_bytes() == PAGE.encode("utf-8")
    assert rows(db, "select count(*) from claims") != [(0,)]
    assert any(agent and agent.startswith("datasette-claims") for agent in httpd.agents)
    again = run_cli("fetch", db, f"{base}/moved")
    assert again.exit_code == 0, again.output
    assert "documents:    0 added, 0 updated, 1 unchanged" in again.output, again.output


@pytest.mark.parametrize(
    ("path", "options", "message"),
    [
        ("/missing", [], "404"),
        ("/report.pdf", [], "application/pdf"),
        ("/loop", [], "redirects"),
        ("/big", ["--max-bytes", "10000"], "larger than 10,000 bytes"),
        ("/slow", ["--timeout", "0.5"], "no answer within 0.5 s"),
        ("/empty", [], "no main text"),
    ],
)
def test_a_failed_fetch_names_the_url_and_writes_nothing(server, tmp_path, path, options, message):
    base, _ = server
    db = tmp_path / "claims.db"
    assert run_cli("fetch", db, f"{base}/article").exit_code == 0
    before = rows(db, "select id from documents")
    result = run_cli("fetch", db, f"{base}/article", f"{base}{path}", *options)
    assert result.exit_code != 0
    assert f"{base}{path}" in result.output and message in result.output, result.output
    assert "Traceback" not in result.output
    assert rows(db, "select id from documents") == before


def test_urls_from_a_file(server, tmp_path):
    base, _ = server
    listing = tmp_path / "urls.txt"
    listing.write_text(f"# today's reading\n{base}/article\n\n{base}/moved\n", encoding="utf-8")
    db = tmp_path / "claims.db"
    result = run_cli("fetch", db, "--from-file", listing)
    assert result.exit_code == 0, result.output
    assert rows(db, "select count(*) from documents") == [(1,)]  # one page, fetched twice
