"""Fetch one article over HTTP(S) for a re-index: public addresses only, bounded in time, size and redirects.

Every host is resolved and each of its addresses checked before connecting, and the connection
goes to the address that was checked (so a DNS answer cannot change between the check and the
connect). Redirects are followed by hand so each hop is checked the same way. Link-local and
cloud metadata addresses and names are refused always, even where private addresses are allowed.
Synchronous on purpose: callers on an event loop run it with `asyncio.to_thread`.
"""

from __future__ import annotations

import asyncio
import http.client
import ipaddress
import logging
import re
import socket
import time
from collections.abc import Awaitable, Callable
from pathlib import PurePosixPath
from urllib.parse import unquote, urljoin, urlsplit

from bot.core.errors import MusebotError

log = logging.getLogger(__name__)

CONTENT_TYPE_EXTENSIONS = {"text/html": ".html", "text/plain": ".txt", "text/markdown": ".md", "text/x-markdown": ".md"}
ARTICLE_EXTENSIONS = (".md", ".txt", ".html")
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_READ_SIZE = 64 * 1024
_USER_AGENT = "musebot/0.1 (article fetch for re-indexing)"

Resolver = Callable[[str, int], list[str]]

# Never fetched, whatever `allow_private` says: instance metadata (and the cloud credentials it hands out)
# lives at link-local addresses (AWS, GCP, Azure, Oracle: 169.254.169.254; AWS over IPv6: fd00:ec2::254),
# at Alibaba Cloud's 100.100.100.200, and under these host names. Names are refused before any lookup.
_NEVER_NETWORKS = tuple(
    ipaddress.ip_network(network)
    for network in ("169.254.0.0/16", "fe80::/10", "fd00:ec2::254/128", "100.100.100.200/32")
)
_METADATA_HOSTS = frozenset(
    {"metadata", "metadata.google.internal", "metadata.goog", "instance-data", "instance-data.ec2.internal"}
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class FetchError(MusebotError):
    """The URL could not be fetched as an article; nothing was changed."""


def _resolve_addresses(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise FetchError(f"Could not resolve {host} ({error}); check the URL.") from error
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def is_public_address(address: str) -> bool:
    """True for a globally routable unicast address (not private, loopback, link-local, reserved, multicast…)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def is_never_fetched_address(address: str) -> bool:
    """True for a link-local or cloud metadata address, also written as IPv4-mapped or NAT64 IPv6."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        elif ip in _NAT64:
            ip = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return any(ip in network for network in _NEVER_NETWORKS if network.version == ip.version)


def is_metadata_host(host: str) -> bool:
    """True for the host names of cloud metadata services (any case, with or without the final dot)."""
    return host.lower().rstrip(".") in _METADATA_HOSTS


def _check_url(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path+query) of an http(s) URL, or FetchError."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as error:
        raise FetchError(f"That is not a valid URL ({error}).") from error
    scheme = parts.scheme.lower()
    if scheme not in {"http", "https"}:
        raise FetchError(f"Only http:// and https:// URLs can be fetched, not {scheme or 'a URL without a scheme'}.")
    if not parts.hostname:
        raise FetchError("That URL has no host name.")
    if parts.username or parts.password:
        raise FetchError("URLs with a user name or password are not fetched; give the public article URL.")
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return scheme, parts.hostname, port or (443 if scheme == "https" else 80), target


def _pick_address(host: str, port: int, *, allow_private: bool, resolve: Resolver) -> str:
    never = "it is never fetched, even where private addresses are allowed; give the article's public URL."
    if is_metadata_host(host):
        raise FetchError(f"{host} is a cloud metadata service; {never}")
    addresses = resolve(host, port)
    if not addresses:
        raise FetchError(f"{host} has no address; check the URL.")
    refused = [a for a in addresses if is_never_fetched_address(a)]
    if refused:
        raise FetchError(f"{host} resolves to a link-local or cloud metadata address ({refused[0]}); {never}")
    if not allow_private:
        blocked = [a for a in addresses if not is_public_address(a)]
        if blocked:
            raise FetchError(
                f"{host} resolves to a private or local address ({blocked[0]}); only public sites can be fetched."
            )
    return addresses[0]


def _open_connection(scheme: str, host: str, port: int, address: str, timeout: float) -> http.client.HTTPConnection:
    """A connection that reaches `address` but speaks to `host` (Host header, TLS SNI and certificate)."""
    cls = http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
    connection = cls(host, port, timeout=timeout)

    def connect_to_checked_address(_where: tuple[str, int], wait: float, source: object = None) -> socket.socket:
        return socket.create_connection((address, port), wait, source)  # type: ignore[arg-type]

    connection._create_connection = connect_to_checked_address  # type: ignore[attr-defined]  # pin the checked IP
    return connection


def _read_capped(response: http.client.HTTPResponse, *, max_bytes: int, deadline: float, url: str) -> bytes:
    declared = response.getheader("Content-Length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(f"{url} is {int(declared):,} bytes; the limit is {max_bytes:,}.")
    parts: list[bytes] = []
    size = 0
    while True:
        if time.monotonic() > deadline:
            raise FetchError(f"{url} took too long to download; try again later or upload the file instead.")
        block = response.read1(_READ_SIZE) if hasattr(response, "read1") else response.read(_READ_SIZE)
        if not block:
            break
        size += len(block)
        if size > max_bytes:
            raise FetchError(f"{url} is larger than the {max_bytes:,}-byte limit; upload a smaller file.")
        parts.append(block)
    return b"".join(parts)


def _media_type(response: http.client.HTTPResponse) -> str:
    return (response.getheader("Content-Type") or "").split(";", 1)[0].strip().lower()


def derive_filename(url: str, media_type: str) -> str:
    """A safe file name for the fetched article: the URL's last path segment, with the extension its type implies."""
    parts = urlsplit(url)
    segment = PurePosixPath(unquote(parts.path)).name
    stem, dot, ext = segment.rpartition(".")
    if not dot or f".{ext.lower()}" not in (*ARTICLE_EXTENSIONS, ".htm"):
        stem = segment
    stem = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")[:80].strip("-")
    if not stem:
        stem = re.sub(r"[^a-z0-9]+", "-", (parts.hostname or "article").lower()).strip("-") or "article"
    return stem + CONTENT_TYPE_EXTENSIONS[media_type]


def fetch_article(
    url: str,
    *,
    timeout: float,
    max_bytes: int,
    allow_private: bool,
    max_redirects: int = 3,
    resolve: Resolver = _resolve_addresses,
) -> tuple[bytes, str]:
    """(data, file name) of the article at `url`; FetchError with the reason otherwise.

    `timeout` bounds each network step and the whole download. Only text/html, text/plain and
    text/markdown are accepted. Private and loopback hosts are refused unless `allow_private`;
    link-local and cloud metadata hosts always. A redirect is checked the same way before it is followed.
    """
    deadline = time.monotonic() + timeout
    current = url.strip()
    for hop in range(max_redirects + 1):
        scheme, host, port, target = _check_url(current)
        address = _pick_address(host, port, allow_private=allow_private, resolve=resolve)
        remaining = max(0.05, deadline - time.monotonic())
        connection = _open_connection(scheme, host, port, address, min(timeout, remaining))
        try:
            connection.request(
                "GET",
                target,
                headers={
                    "User-Agent": _USER_AGENT,
                    "Accept": "text/html, text/markdown, text/plain;q=0.9",
                    "Accept-Encoding": "identity",
                },
            )
            response = connection.getresponse()
            if response.status in _REDIRECT_STATUSES:
                location = response.getheader("Location")
                if not location:
                    raise FetchError(f"{current} redirected without saying where to.")
                log.debug("fetch redirect %d: %s -> %s", hop + 1, current, location)
                current = urljoin(current, location)
                continue
            if response.status != 200:
                raise FetchError(f"{current} answered HTTP {response.status} {response.reason}; check the URL.")
            media_type = _media_type(response)
            if media_type not in CONTENT_TYPE_EXTENSIONS:
                raise FetchError(
                    f"{current} is {media_type or 'of no stated type'}; only HTML, Markdown and plain-text "
                    "articles can be added."
                )
            data = _read_capped(response, max_bytes=max_bytes, deadline=deadline, url=current)
            return data, derive_filename(current, media_type)
        except TimeoutError as error:
            raise FetchError(f"{current} did not answer within {timeout:g} s; try again later.") from error
        except FetchError:
            raise
        except (OSError, http.client.HTTPException) as error:
            raise FetchError(f"Could not fetch {current} ({error.__class__.__name__}: {error}).") from error
        finally:
            connection.close()
    raise FetchError(f"{url} redirected more than {max_redirects} times; give the article's final URL.")


def make_url_fetcher(
    *, timeout: float, max_bytes: int, allow_private: bool
) -> Callable[[str], Awaitable[tuple[bytes, str]]]:
    """`fetch_article` with these limits, as a coroutine function that runs it off the event loop (for /reindex)."""

    async def fetch(url: str) -> tuple[bytes, str]:
        return await asyncio.to_thread(
            fetch_article, url, timeout=timeout, max_bytes=max_bytes, allow_private=allow_private
        )

    return fetch
