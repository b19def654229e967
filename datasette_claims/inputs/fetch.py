"""Fetching articles from the web: bounded, identified, and every failure a clear message.

One GET per URL with httpx: timeouts, a size cap read as the body streams in, a bounded
number of redirects, a user agent that says who fetches. The raw page is kept as bytes
(and its SHA-256) so a load can store what was fetched and when.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone

import httpx

from datasette_claims.errors import LoadError

USER_AGENT = "datasette-claims (fact-tracking; +https://github.com/datasette-claims)"
TIMEOUT = 20.0
MAX_BYTES = 10 * 1024 * 1024
MAX_REDIRECTS = 5


@dataclass
class Fetched:
    url: str  # the URL asked for
    final_url: str  # after redirects
    raw: bytes
    fetched_at: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.raw).hexdigest()


def fetch_page(
    url: str,
    timeout: float = TIMEOUT,
    max_bytes: int = MAX_BYTES,
    max_redirects: int = MAX_REDIRECTS,
) -> Fetched:
    """The page at `url`, or a LoadError naming the URL and what went wrong."""
    if not url.startswith(("http://", "https://")):
        raise LoadError("only http(s) URLs can be fetched", file=url)
    try:
        with (
            httpx.Client(
                timeout=timeout,
                follow_redirects=True,
                max_redirects=max_redirects,
                headers={"User-Agent": USER_AGENT, "Accept": "text/html,application/xhtml+xml"},
            ) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code >= 400:
                raise LoadError(
                    f"the server answered {response.status_code} {response.reason_phrase}",
                    file=url,
                )
            kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
            if kind and kind not in ("text/html", "application/xhtml+xml"):
                raise LoadError(f"not a web page: the server sent {kind}", file=url)
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise LoadError(f"the page is larger than {max_bytes:,} bytes", file=url)
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise LoadError(f"the page is larger than {max_bytes:,} bytes", file=url)
                chunks.append(chunk)
            final = str(response.url)
    except httpx.TooManyRedirects:
        raise LoadError(f"more than {max_redirects} redirects", file=url) from None
    except httpx.TimeoutException:
        raise LoadError(f"no answer within {timeout:g} s", file=url) from None
    except httpx.HTTPError as exc:
        raise LoadError(f"could not fetch the page: {exc}", file=url) from None
    stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
    return Fetched(url, final, b"".join(chunks), stamp)
