"""fetch_article against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bot.core import fetching
from bot.core.fetching import (
    FetchError,
    derive_filename,
    fetch_article,
    is_metadata_host,
    is_never_fetched_address,
    is_public_address,
    make_url_fetcher,
)

ARTICLE = (
    b"<html><head><title>Muse Spark</title></head>"
    b"<body><article><p>Meta launched Muse Spark.</p></article></body></html>"
)
PUBLIC_HOST = "news.example"
PUBLIC_IP = "93.184.216.34"  # stands in for a public site; connections to it are sent to the local server


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # quiet test output
        pass

    def _send(self, status: int, body: bytes, content_type: str = "text/html; charset=utf-8", length: bool = True):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:
        port = self.server.server_address[1]
        path = self.path
        if path == "/news/muse-spark-launch":
            self._send(200, ARTICLE)
        elif path == "/notes.md":
            self._send(200, b"---\ntitle: Notes\n---\nMuse Spark notes.", "text/markdown")
        elif path == "/image":
            self._send(200, b"\x89PNG....", "image/png")
        elif path == "/missing":
            self._send(404, b"not here")
        elif path == "/loop":
            self._redirect("/loop")
        elif path.startswith("/hop/"):
            left = int(path.rsplit("/", 1)[1])
            self._redirect(f"/hop/{left - 1}" if left > 0 else "/news/muse-spark-launch")
        elif path == "/to-loopback":
            self._redirect(f"http://127.0.0.1:{port}/news/muse-spark-launch")
        elif path.startswith("/to-metadata/"):  # /to-metadata/<scheme>/<the URL's rest, e.g. 169.254.169.254/x>
            _, _, scheme, rest = path.split("/", 3)
            self._redirect(f"{scheme}://{rest}")
        elif path == "/to-ftp":
            self._redirect("ftp://example.com/article.html")
        elif path == "/big-declared":
            self._send(200, b"x" * 5000)
        elif path == "/big-streamed":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            for _ in range(50):
                self.wfile.write(b"y" * 1000)
        elif path == "/slow":
            time.sleep(1.5)
            self._send(200, ARTICLE)
        elif path == "/trickle":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            for _ in range(20):
                self.wfile.write(b"z")
                self.wfile.flush()
                time.sleep(0.1)
        else:
            self._send(404, b"")


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def public_site(server: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """`http://news.example:<port>`: resolves to a public address whose traffic reaches the local server."""
    port = int(server.rsplit(":", 1)[1])
    real_connect = socket.create_connection

    def connect(address: tuple[str, int], *args: object, **kwargs: object) -> socket.socket:
        host, target_port = address
        return real_connect(("127.0.0.1" if host == PUBLIC_IP else host, target_port), *args, **kwargs)

    monkeypatch.setattr(fetching.socket, "create_connection", connect)
    return f"http://{PUBLIC_HOST}:{port}"


class LoopbackOnly:
    """The network as the fetcher sees it, kept to 127.0.0.1: each connection and name lookup is recorded;
    a connection anywhere else is refused, and a name is never sent to DNS (numeric hosts are parsed locally)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.connected: list[tuple[str, int]] = []
        self.looked_up: list[str] = []
        real_connect, real_getaddrinfo = socket.create_connection, socket.getaddrinfo

        def connect(address: tuple[str, int], *args: object, **kwargs: object) -> socket.socket:
            self.connected.append(address)
            if address[0] != "127.0.0.1":
                raise ConnectionRefusedError(f"the test refused a connection to {address}")
            return real_connect(address, *args, **kwargs)

        def getaddrinfo(host: str, port: int, *args: object, **kwargs: object) -> list[tuple[object, ...]]:
            self.looked_up.append(host)
            try:
                return real_getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_NUMERICHOST)
            except socket.gaierror:
                raise socket.gaierror(socket.EAI_NONAME, f"the test does not look up {host}") from None

        monkeypatch.setattr(fetching.socket, "create_connection", connect)
        monkeypatch.setattr(fetching.socket, "getaddrinfo", getaddrinfo)


@pytest.fixture
def network(monkeypatch: pytest.MonkeyPatch) -> LoopbackOnly:
    return LoopbackOnly(monkeypatch)


def _resolve(host: str, port: int) -> list[str]:
    return [PUBLIC_IP] if host == PUBLIC_HOST else ["127.0.0.1"]


def _fetch(url: str, **kwargs: object) -> tuple[bytes, str]:
    options: dict[str, object] = {"timeout": 5.0, "max_bytes": 10_000, "allow_private": True}
    options.update(kwargs)
    return fetch_article(url, **options)  # type: ignore[arg-type]


def test_fetches_html_and_names_it_from_the_path(server: str) -> None:
    assert _fetch(f"{server}/news/muse-spark-launch") == (ARTICLE, "muse-spark-launch.html")


def test_markdown_keeps_its_extension(server: str) -> None:
    data, name = _fetch(f"{server}/notes.md")
    assert name == "notes.md"
    assert data.startswith(b"---")


def test_follows_redirects_up_to_the_limit(server: str) -> None:
    assert _fetch(f"{server}/hop/2", max_redirects=3)[1] == "muse-spark-launch.html"
    with pytest.raises(FetchError, match="redirected more than 3 times"):
        _fetch(f"{server}/hop/5", max_redirects=3)


def test_redirect_loop_is_refused(server: str) -> None:
    with pytest.raises(FetchError, match="redirected more than"):
        _fetch(f"{server}/loop")


def test_loopback_is_refused_unless_allowed(server: str) -> None:
    with pytest.raises(FetchError, match="private or local address"):
        _fetch(f"{server}/news/muse-spark-launch", allow_private=False)


def test_public_host_is_fetched_through_the_checked_address(public_site: str) -> None:
    data, _ = _fetch(f"{public_site}/news/muse-spark-launch", allow_private=False, resolve=_resolve)
    assert data == ARTICLE


def test_redirect_to_loopback_is_checked_again(public_site: str) -> None:
    with pytest.raises(FetchError, match=r"private or local address \(127\.0\.0\.1\)"):
        _fetch(f"{public_site}/to-loopback", allow_private=False, resolve=_resolve)


@pytest.mark.parametrize(
    "url", ["ftp://example.com/a.html", "file:///etc/passwd", "javascript:alert(1)", "example.com"]
)
def test_non_http_schemes_are_refused(url: str) -> None:
    with pytest.raises(FetchError, match="Only http:// and https://"):
        _fetch(url)


def test_redirect_to_another_scheme_is_refused(server: str) -> None:
    with pytest.raises(FetchError, match="Only http:// and https://"):
        _fetch(f"{server}/to-ftp")


def test_oversize_is_refused_whether_declared_or_streamed(server: str) -> None:
    with pytest.raises(FetchError, match="5,000 bytes; the limit is 1,000"):
        _fetch(f"{server}/big-declared", max_bytes=1000)
    with pytest.raises(FetchError, match="larger than the 1,000-byte limit"):
        _fetch(f"{server}/big-streamed", max_bytes=1000)


def test_slow_server_times_out(server: str) -> None:
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"did not answer within 0\.3 s"):
        _fetch(f"{server}/slow", timeout=0.3)
    assert time.monotonic() - started < 1.2


def test_trickling_server_hits_the_overall_deadline(server: str) -> None:
    with pytest.raises(FetchError, match="took too long"):
        _fetch(f"{server}/trickle", timeout=0.5)


def test_wrong_content_type_and_http_errors_are_explained(server: str) -> None:
    with pytest.raises(FetchError, match="image/png; only HTML, Markdown and plain-text"):
        _fetch(f"{server}/image")
    with pytest.raises(FetchError, match="HTTP 404"):
        _fetch(f"{server}/missing")


def test_unresolvable_host() -> None:
    with pytest.raises(FetchError, match="Could not resolve"):
        _fetch("http://no-such-host.invalid/a.html", allow_private=False)


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("192.168.0.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("0.0.0.0", False),
        ("::1", False),
        ("fe80::1%eth0", False),
        ("fd00::1", False),
        ("::ffff:127.0.0.1", False),
        ("2606:4700::1111", True),
        ("224.0.0.1", False),
    ],
)
def test_is_public_address(address: str, public: bool) -> None:
    assert is_public_address(address) is public


@pytest.mark.parametrize(
    ("url", "media_type", "name"),
    [
        ("https://x.com/2026/04/Muse_Spark%20Launch.HTM", "text/html", "muse-spark-launch.html"),
        ("https://x.com/a/../../etc/passwd", "text/plain", "passwd.txt"),
        ("https://news.example.com/", "text/html", "news-example-com.html"),
        ("https://x.com/story.md?utm=1", "text/markdown", "story.md"),
    ],
)
def test_derive_filename_is_a_safe_name(url: str, media_type: str, name: str) -> None:
    assert derive_filename(url, media_type) == name


async def test_url_fetcher_runs_off_the_event_loop(server: str) -> None:
    fetch = make_url_fetcher(timeout=5.0, max_bytes=10_000, allow_private=True)
    assert await fetch(f"{server}/news/muse-spark-launch") == (ARTICLE, "muse-spark-launch.html")


METADATA_URLS = [
    "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
    "http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token",
    "http://METADATA.Google.Internal./computeMetadata/v1/",
    "http://metadata/computeMetadata/v1/",
    "http://metadata.goog/computeMetadata/v1/",
    "http://instance-data/latest/meta-data/",
    "http://[fd00:ec2::254]/latest/meta-data/",
    "http://[fe80::1]/",
    "http://[::ffff:169.254.169.254]/latest/meta-data/",
    "http://[64:ff9b::a9fe:a9fe]/latest/meta-data/",
    "http://2852039166/latest/meta-data/",  # 169.254.169.254 as one number
    "http://169.254.170.2/v2/credentials",  # ECS task credentials
    "http://100.100.100.200/latest/meta-data/",  # Alibaba Cloud
]


@pytest.mark.parametrize("target", METADATA_URLS)
def test_a_redirect_to_cloud_metadata_is_refused_before_connecting_even_with_private_allowed(
    server: str, network: LoopbackOnly, target: str
) -> None:
    scheme, rest = target.split("://", 1)
    with pytest.raises(FetchError, match="never fetched, even where private addresses are allowed"):
        _fetch(f"{server}/to-metadata/{scheme}/{rest}", allow_private=True)
    port = int(server.rsplit(":", 1)[1])
    assert network.connected == [("127.0.0.1", port)]  # the first hop only
    assert not {host for host in network.looked_up if not host[0].isdigit() and ":" not in host}  # no name sent


@pytest.mark.parametrize("target", METADATA_URLS)
def test_cloud_metadata_is_never_fetched_directly(network: LoopbackOnly, target: str) -> None:
    with pytest.raises(FetchError, match="never fetched, even where private addresses are allowed"):
        _fetch(target, allow_private=True)
    assert network.connected == []
    assert all(host[0].isdigit() or ":" in host for host in network.looked_up)  # metadata names: not even looked up


def test_a_name_that_resolves_to_link_local_is_refused_before_connecting(network: LoopbackOnly) -> None:
    def rebinding(host: str, port: int) -> list[str]:
        return [PUBLIC_IP, "169.254.169.254"]  # one good address does not make the other safe

    with pytest.raises(FetchError, match=r"news\.example resolves to a link-local or cloud metadata address"):
        _fetch(f"http://{PUBLIC_HOST}/article", allow_private=True, resolve=rebinding)
    assert network.connected == []


def test_private_addresses_are_still_fetched_when_allowed(server: str, network: LoopbackOnly) -> None:
    assert _fetch(f"{server}/news/muse-spark-launch", allow_private=True)[0] == ARTICLE
    assert network.connected == [("127.0.0.1", int(server.rsplit(":", 1)[1]))]


@pytest.mark.parametrize(
    ("address", "never"),
    [
        ("169.254.169.254", True), ("169.254.0.1", True), ("fe80::1%eth0", True), ("febf::1", True),
        ("fd00:ec2::254", True), ("::ffff:169.254.169.254", True), ("64:ff9b::a9fe:a9fe", True),
        ("100.100.100.200", True), ("127.0.0.1", False), ("10.0.0.1", False), ("fd00:ec2::253", False),
        ("fec0::1", False), ("93.184.216.34", False), ("100.100.100.201", False),
    ],
)  # fmt: skip
def test_is_never_fetched_address(address: str, never: bool) -> None:
    assert is_never_fetched_address(address) is never


def test_is_metadata_host() -> None:
    assert is_metadata_host("Metadata.Google.Internal.")
    assert is_metadata_host("instance-data")
    assert not is_metadata_host("metadata.example.com")
    assert not is_metadata_host("news.example")
