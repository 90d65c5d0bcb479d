"""`musebot index add | remove | list | verify` through the real argument parser and service.

In-process tests swap in the fake embedder at `bot.cli.context.make_service`; one slow test runs the real
command in a subprocess with the real model.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bot import cli
from bot.cli import context
from bot.core.embedding import Embedder, HashingEmbedder
from bot.core.service import MuseService, ServiceConfig

ROOT = Path(__file__).resolve().parents[1]

LAUNCH = """---
id: launch
title: Meta launches Muse Spark
outlet: Tech Daily
published: 2026-04-08
---
Meta launched Muse Spark on April 8 from Meta Superintelligence Labs.

Muse Spark scored 42.8% on HealthBench Hard, ahead of GPT-5.4 at 40.1%.
"""

WHATSAPP = """---
id: whatsapp
title: Muse Spark reaches WhatsApp
outlet: Chat News
---
Meta said Muse Spark will reach WhatsApp and Instagram users in the coming weeks, starting in the United States.
"""

PAGE = (
    b"<html><head><title>Muse Spark in Europe</title></head><body><article><h1>Muse Spark in Europe</h1>"
    b"<p>Meta has not said when Muse Spark will be available to users in the European Union, citing rules.</p>"
    b"<p>The company expects to share a timeline for the rollout later this year, a spokesperson said.</p>"
    b"</article></body></html>"
)


@pytest.fixture
def dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    (corpus / "launch.md").write_text(LAUNCH, encoding="utf-8")

    def make_service(settings: object) -> MuseService:
        config = ServiceConfig(corpus_dir=settings.corpus_dir, index_dir=settings.index_dir)  # type: ignore[attr-defined]
        return MuseService(config, embedder_factory=lambda: HashingEmbedder())

    monkeypatch.setattr(context, "make_service", make_service)
    monkeypatch.setenv("MUSEBOT_CORPUS_DIR", str(corpus))
    monkeypatch.setenv("MUSEBOT_INDEX_DIR", str(index))
    assert cli.main(["index", "build"]) == 0
    return corpus, index


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_add_prints_the_change(dirs: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "whatsapp.md"
    path.write_text(WHATSAPP, encoding="utf-8")
    code, out, _ = _run(capsys, "index", "add", str(path))
    assert code == 0
    assert "articles added: whatsapp" in out
    assert "chunks: +1 -0 (1 embedded, the rest reused)" in out
    assert (dirs[0] / "whatsapp.md").read_text(encoding="utf-8") == WHATSAPP

    code, out, _ = _run(capsys, "index", "add", str(path))
    assert code == 0
    assert f"skipped {path}: same text as the indexed article whatsapp; nothing to update" in out
    assert "no article changed" not in out  # a skip explains itself


def test_add_bad_file_exits_1_with_the_reason(
    dirs: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "scan.pdf"
    bad.write_bytes(b"%PDF-1.4")
    code, _, err = _run(capsys, "index", "add", str(bad))
    assert code == 1
    assert "error: Nothing was added. scan.pdf: unsupported file type ('.pdf')" in " ".join(err.split())
    assert sorted(p.name for p in dirs[0].iterdir()) == ["launch.md"]


def test_remove_and_unknown_id(dirs: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "whatsapp.md"
    path.write_text(WHATSAPP, encoding="utf-8")
    _run(capsys, "index", "add", str(path))
    code, _, err = _run(capsys, "index", "remove", "whatsap")
    assert code == 1
    assert "did you mean whatsapp?" in err
    code, out, _ = _run(capsys, "index", "remove", "whatsapp")
    assert code == 0
    assert "articles removed: whatsapp" in out
    assert not (dirs[0] / "whatsapp.md").exists()


def test_list(dirs: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "index", "list")
    assert code == 0
    assert "launch" in out
    assert "Tech Daily" in out
    code, out, _ = _run(capsys, "index", "list", "--json")
    (row,) = json.loads(out)
    assert row == {
        "id": "launch",
        "title": "Meta launches Muse Spark",
        "outlet": "Tech Daily",
        "published": "2026-04-08",
        "url": "",
        "chunks": 1,
        "facts": 2,
    }


def test_verify_exit_codes(dirs: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "index", "verify")
    assert code == 0
    assert out.startswith("ok: build ")
    (dirs[0] / "launch.md").write_text(LAUNCH.replace("42.8%", "41.0%"), encoding="utf-8")
    code, out, _ = _run(capsys, "index", "verify")
    assert code == 1
    assert "launch.md (launch) changed since it was indexed" in out
    code, out, _ = _run(capsys, "index", "verify", "--json")
    assert code == 1
    payload = json.loads(out)
    assert payload["ok"] is False
    assert len(payload["problems"]) == 1


class _PageHandler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)


@pytest.fixture
def page_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _PageHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/news/muse-spark-europe"
    server.shutdown()
    server.server_close()


def test_add_url(dirs: tuple[Path, Path], page_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "index", "add", page_url)
    assert code == 1
    assert "private or local address (127.0.0.1); only public sites can be fetched" in " ".join(err.split())
    code, _, err = _run(capsys, "index", "add", "ftp://example.com/a.html")
    assert code == 1
    assert "Only http:// and https:// URLs" in err

    code, out, _ = _run(capsys, "index", "add", "--allow-private", page_url)
    assert code == 0, out
    assert "articles added: muse-spark-in-europe" in out
    assert (dirs[0] / "muse-spark-in-europe.html").read_bytes() == PAGE


@pytest.mark.slow
def test_real_command_in_a_subprocess(tmp_path: Path, real_embedder: Embedder, onnx_cache_dir: Path) -> None:
    """`python -m bot index add/list/verify` as a maintainer runs them, with the real model."""
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    (corpus / "launch.md").write_text(LAUNCH, encoding="utf-8")
    # Reuse this session's ONNX export rather than exporting the model again.
    shutil.copytree(onnx_cache_dir / real_embedder.model_id, index / "onnx" / real_embedder.model_id)
    new = tmp_path / "whatsapp.md"
    new.write_text(WHATSAPP, encoding="utf-8")
    env = {**os.environ, "MUSEBOT_CORPUS_DIR": str(corpus), "MUSEBOT_INDEX_DIR": str(index)}

    def musebot(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot", *argv], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )

    built = musebot("index", "build")
    assert built.returncode == 0, built.stderr
    added = musebot("index", "add", str(new))
    assert added.returncode == 0, added.stderr
    assert "articles added: whatsapp\nchunks: +1 -0 (1 embedded, the rest reused)" in added.stdout
    listed = musebot("index", "list", "--json")
    assert {row["id"] for row in json.loads(listed.stdout)} == {"launch", "whatsapp"}
    verified = musebot("index", "verify")
    assert verified.returncode == 0, verified.stdout
    manifest = json.loads((index / "builds" / (index / "CURRENT").read_text().strip() / "manifest.json").read_text())
    assert len(manifest["segments"]) == 2  # the add wrote one segment beside the first build's
    compacted = musebot("index", "compact")
    assert compacted.returncode == 0, compacted.stderr
    assert "2 articles in one segment" in compacted.stdout
    manifest = json.loads((index / "builds" / (index / "CURRENT").read_text().strip() / "manifest.json").read_text())
    assert len(manifest["segments"]) == 1
    assert {row["id"] for row in json.loads(musebot("index", "list", "--json").stdout)} == {"launch", "whatsapp"}
    assert musebot("index", "verify").returncode == 0
