"""Fetching articles from the web: bounded, identified, and every failure a clear message.

One GET per URL with httpx: a deadline for the whole page (connecting, redirects, headers
and body together), a size cap read as the body streams in, a bounded number of redirects
followed one by one, a user agent that says who fetches. By default only public addresses
are fetched: every hop's host is resolved and checked, and so is the address actually
connected to. The raw page is kept as bytes (and its SHA-256) so a load can store what was
fetched, from where and when.
"""

from __future__ import annotations

import asyncio
import hashlib
import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import urljoin, urlsplit

import httpx

from datasette_claims.errors import LoadError

USER_AGENT = "datasette-claims (fact-tracking; +https://github.com/datasette-claims)"
TIMEOUT = 20.0
MAX_BYTES = 10 * 1024 * 1024
MAX_REDIRECTS = 5
_REDIRECTS = {301, 302, 303, 307, 308}

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass
class Fetched:
    url: str  # the URL asked for
    final_url: str  # after redirects
    raw: bytes
    fetched_at: str
    content_type: str | None = None  # the server's header, for the page's charset

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.raw).hexdigest()


def is_public(address: Address) -> bool:
    """A globally routable address: not loopback, link-local, private (RFC 1918, ULA),
    shared (CGNAT), multicast, reserved or unspecified."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def any_address(address: Address) -> bool:
    """`--allow-private`: every address may be fetched."""
    return True


def fetch_page(
    url: str,
    timeout: float = TIMEOUT,
    max_bytes: int = MAX_BYTES,
    max_redirects: int = MAX_REDIRECTS,
    allowed: Callable[[Address], bool] = is_public,
) -> Fetched:
    """The page at `url`, or a LoadError naming the URL and what went wrong.

    `timeout` is a deadline for the whole page; `allowed` says which addresses may be
    connected to (public ones unless told).
    """
    if not url.startswith(("http://", "https://")):
        raise LoadError("only http(s) URLs can be fetched", file=url)
    try:
        return asyncio.run(
            asyncio.wait_for(_fetch(url, timeout, max_bytes, max_redirects, allowed), timeout)
        )
    except (asyncio.TimeoutError, httpx.TimeoutException):
        raise LoadError(
            f"no complete answer within {timeout:g} s (--timeout is for the whole page)",
            file=url,
        ) from None
    except httpx.HTTPError as exc:
        raise LoadError(f"could not fetch the page: {exc}", file=url) from None


async def _fetch(
    url: str,
    timeout: float,
    max_bytes: int,
    max_redirects: int,
    allowed: Callable[[Address], bool],
) -> Fetched:
    headers = {"User-Agent": USER_AGENT, "Accept": "text/html,application/xhtml+xml"}
    async with httpx.AsyncClient(
        timeout=timeout, follow_redirects=False, headers=headers
    ) as client:
        target = url
        for _ in range(max_redirects + 1):
            await _check_host(url, target, allowed)
            async with client.stream("GET", target) as response:
                _check_peer(url, target, response, allowed)
                if response.status_code in _REDIRECTS and "location" in response.headers:
                    target = urljoin(target, response.headers["location"])
                    if not target.startswith(("http://", "https://")):
                        raise LoadError(
                            f"redirected to a URL that is not http(s): {target}", file=url
                        )
                    continue
                raw = await _body(url, response, max_bytes)
                stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
                kind = response.headers.get("content-type")
                return Fetched(url, str(response.url), raw, stamp, kind)
    raise LoadError(f"more than {max_redirects} redirects", file=url)


async def _body(url: str, response: httpx.Response, max_bytes: int) -> bytes:
    if response.status_code >= 400:
        raise LoadError(
            f"the server answered {response.status_code} {response.reason_phrase}", file=url
        )
    kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind and kind not in ("text/html", "application/xhtml+xml"):
        raise LoadError(f"not a web page: the server sent {kind}", file=url)
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise LoadError(f"the page is larger than {max_bytes:,} bytes", file=url)
    chunks, size = [], 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise LoadError(f"the page is larger than {max_bytes:,} bytes", file=url)
        chunks.append(chunk)
    return b"".join(chunks)


def _refused(url: str, target: str, host: str, address: str) -> LoadError:
    hop = "" if target == url else f" (redirected to {target})"
    return LoadError(
        f"refused to fetch {host}{hop}: {address} is not a public address (loopback, "
        "link-local and private networks are fetched only with --allow-private)",
        file=url,
    )


async def _check_host(url: str, target: str, allowed: Callable[[Address], bool]) -> None:
    """Every address the hop's host resolves to must be allowed."""
    parts = urlsplit(target)
    host = parts.hostname or ""
    try:
        found = [ipaddress.ip_address(host)]
    except ValueError:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, parts.port or (443 if parts.scheme == "https" else 80),
                type=socket.SOCK_STREAM,
            )  # fmt: skip
        except OSError as exc:
            raise LoadError(f"cannot resolve {host}: {exc.strerror or exc}", file=url) from None
        found = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    for address in found:
        if not allowed(address):
            raise _refused(url, target, host, str(address))


def _check_peer(
    url: str, target: str, response: httpx.Response, allowed: Callable[[Address], bool]
) -> None:
    """The address actually connected to must be allowed too (DNS may answer otherwise
    the second time, or a proxy may stand between)."""
    stream = response.extensions.get("network_stream")
    peer = stream.get_extra_info("server_addr") if stream is not None else None
    if not peer:
        return
    address = ipaddress.ip_address(str(peer[0]).split("%")[0])
    if not allowed(address):
        raise _refused(url, target, urlsplit(target).hostname or "", str(address))
