"""Fetching articles from a real HTTP server on 127.0.0.1 that serves pages the tests write."""

from __future__ import annotations

import hashlib
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from datasette_claims.errors import LoadError
from datasette_claims.inputs.fetch import fetch_page

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
    # The header's charset outranks the page's own <meta charset>.
    "/latin": (
        200,
        "text/html; charset=windows-1252",
        PAGE.replace("<head>", '<head><meta charset="utf-8">')
        .replace("Soldaten bereits", "Soldaten des südkoreanischen Geheimdienstes bereits")
        .encode("cp1252"),
        {},
    ),
}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - the http.server API
        self.server.paths.append(self.path)
        if self.path == "/slow":
            time.sleep(3)
        if self.path.startswith("/drip"):
            return self.drip()
        if self.path.startswith("/to-"):  # /to-<host>: a redirect to this server by that name
            port = self.server.server_address[1]
            ROUTES[self.path] = (
                302,
                "text/html",
                b"",
                {"Location": f"http://{self.path[4:]}:{port}/article"},
            )  # noqa: E501
        status, kind, body, headers = ROUTES.get(self.path, ROUTES["/missing"])
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)
        self.server.agents.append(self.headers.get("User-Agent"))

    def drip(self):
        """One byte a second, for a minute: in the status line and headers, or the body."""
        head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 60\r\n\r\n"
        if self.path == "/drip":
            self.wfile.write(head)
            head = b""
        for byte in head + b"x" * 60:
            self.wfile.write(bytes([byte]))
            self.wfile.flush()
            time.sleep(1)

    def log_message(self, *args):
        pass


class Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # a client that gave up (timeout, size cap) closes the connection: expected


def fetch(*args):
    """`datasette claims fetch` from the test server: 127.0.0.1 is a private address."""
    return run_cli("fetch", *args, "--allow-private")


@pytest.fixture(scope="module")
def server():
    httpd = Server(("127.0.0.1", 0), Handler)
    httpd.agents, httpd.paths = [], []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", httpd
    httpd.shutdown()


def test_a_fetched_page_is_loaded_with_its_hash_time_and_archive(server, tmp_path):
    base, httpd = server
    db = tmp_path / "claims.db"
    result = fetch(db, f"{base}/moved", "--archive", tmp_path / "raw")
    assert result.exit_code == 0, result.output
    ((text, url, fetched_at, raw_sha256, title),) = rows(
        db, "select text, url, fetched_at, raw_sha256, title from documents"
    )
    assert "Der Geheimdienst sagte am Freitag" in text and "Cookies" not in text
    assert url == "https://example.org/politik/soldaten"  # the page's canonical URL
    # ... and beside it the URL the page really came from (after the redirect).
    assert rows(db, "select fetched_url from documents") == [(f"{base}/article",)]
    assert fetched_at and title == "Soldaten in Russland"
    assert raw_sha256 == hashlib.sha256(PAGE.encode("utf-8")).hexdigest()
    assert (tmp_path / "raw" / f"{raw_sha256}.html").read_bytes() == PAGE.encode("utf-8")
    assert rows(db, "select count(*) from claims") != [(0,)]
    assert any(agent and agent.startswith("datasette-claims") for agent in httpd.agents)
    again = fetch(db, f"{base}/moved")
    assert again.exit_code == 0, again.output
    assert "documents:    0 added, 0 updated, 1 unchanged" in again.output, again.output


@pytest.mark.parametrize(
    ("path", "options", "message"),
    [
        ("/missing", [], "404"),
        ("/report.pdf", [], "application/pdf"),
        ("/loop", [], "redirects"),
        ("/big", ["--max-bytes", "10000"], "larger than 10,000 bytes"),
        ("/slow", ["--timeout", "0.5"], "no complete answer within 0.5 s"),
        ("/empty", [], "no main text"),
    ],
)
def test_a_failed_fetch_names_the_url_and_writes_nothing(server, tmp_path, path, options, message):
    base, _ = server
    db = tmp_path / "claims.db"
    assert fetch(db, f"{base}/article").exit_code == 0
    before = rows(db, "select id from documents")
    result = fetch(db, f"{base}/article", f"{base}{path}", *options)
    assert result.exit_code != 0
    assert f"{base}{path}" in result.output and message in result.output, result.output
    assert "Traceback" not in result.output
    assert rows(db, "select id from documents") == before


def test_urls_from_a_file(server, tmp_path):
    base, _ = server
    listing = tmp_path / "urls.txt"
    listing.write_text(f"# today's reading\n{base}/article\n\n{base}/moved\n", encoding="utf-8")
    db = tmp_path / "claims.db"
    result = fetch(db, "--from-file", listing)
    assert result.exit_code == 0, result.output
    assert rows(db, "select count(*) from documents") == [(1,)]  # one page, fetched twice


@pytest.mark.parametrize("path", ["/drip", "/drip-headers"])
def test_the_timeout_is_a_deadline_for_the_whole_page(server, tmp_path, path):
    """A server that sends one byte a second never lets a read time out: the deadline
    still ends the fetch, whether it drips the headers or the body."""
    base, _ = server
    started = time.monotonic()
    result = fetch(tmp_path / "claims.db", f"{base}{path}", "--timeout", "2")
    took = time.monotonic() - started
    assert result.exit_code != 0 and took < 4, (took, result.output)
    assert f"{base}{path}" in result.output and "no complete answer within 2 s" in result.output
    assert not (tmp_path / "claims.db").exists()


def test_private_addresses_are_refused_unless_allowed(server, tmp_path):
    base, httpd = server
    db = tmp_path / "claims.db"
    port = httpd.server_address[1]
    for url, address in (
        (f"{base}/article", "127.0.0.1"),
        (f"http://localhost:{port}/article", "127.0.0.1"),  # checked on the resolved address
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254"),  # link-local
        ("http://10.0.0.1/", "10.0.0.1"),
        ("http://[::1]/", "::1"),
    ):
        asked = len(httpd.paths)
        result = run_cli("fetch", db, url)
        assert result.exit_code != 0, result.output
        assert url in result.output and f"{address} is not a public address" in result.output
        assert "--allow-private" in result.output and "Traceback" not in result.output
        assert len(httpd.paths) == asked  # refused before any request was sent
    assert not db.exists()


def test_every_redirect_is_checked(server):
    """Allowed to fetch 127.0.0.1 only, a redirect to 127.0.0.2 is refused."""
    base, httpd = server

    def only_this_server(address) -> bool:
        return str(address) == "127.0.0.1"

    with pytest.raises(LoadError) as caught:
        fetch_page(f"{base}/to-127.0.0.2", allowed=only_this_server)
    message = str(caught.value)
    assert f"{base}/to-127.0.0.2" in message and "redirected to http://127.0.0.2:" in message
    assert "127.0.0.2 is not a public address" in message
    assert fetch_page(f"{base}/moved", allowed=only_this_server).final_url == f"{base}/article"


def test_the_http_header_charset_outranks_the_meta_charset(server, tmp_path):
    base, _ = server
    db = tmp_path / "claims.db"
    result = fetch(db, f"{base}/latin")
    assert result.exit_code == 0, result.output
    ((text, encoding, replacements),) = rows(
        db, "select text, encoding, replacements from documents"
    )
    assert "südkoreanischen" in text and (encoding, replacements) == ("cp1252", 0)


def test_the_address_connected_to_is_checked_too(server):
    """DNS may answer differently when httpx connects than when the host was checked:
    the connection's own peer address must pass as well (here: allowed once only)."""
    base, _ = server
    asked: list[str] = []

    def once(address) -> bool:
        asked.append(str(address))
        return len(asked) == 1

    with pytest.raises(LoadError) as caught:
        fetch_page(f"{base}/article", allowed=once)
    assert asked == ["127.0.0.1", "127.0.0.1"]
    assert "127.0.0.1 is not a public address" in str(caught.value)
