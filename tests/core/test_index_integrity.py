"""A build's files are checksummed in its manifest, and a full build reads every article's facts again.

Real builds in tmp folders; the fake embedder stands in for the model.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from bot import cli
from bot.cli import context
from bot.core.embedding import HashingEmbedder
from bot.core.index_store import (
    IndexDamagedError,
    build_file_checksums,
    load_facts_only,
    load_index,
    read_current_build_id,
)
from bot.core.service import MuseService, ServiceConfig
from tests.core.test_maintenance import LAUNCH, Workspace


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    workspace = Workspace(tmp_path)
    (workspace.corpus / "launch.md").write_text(LAUNCH, encoding="utf-8")
    workspace.service.build_index()
    return workspace


def current_build(ws: Workspace) -> Path:
    return ws.index / "builds" / str(read_current_build_id(ws.index))


def only_segment(ws: Workspace) -> Path:
    (entry,) = json.loads((current_build(ws) / "manifest.json").read_text())["segments"]
    return ws.index / "segments" / entry["id"]


def test_the_manifest_holds_a_sha256_of_every_build_and_segment_file(ws: Workspace) -> None:
    build, segment = current_build(ws), only_segment(ws)
    manifest = json.loads((build / "manifest.json").read_text())
    files = manifest["files"]
    assert set(files) == {p.relative_to(build).as_posix() for p in build.rglob("*") if p.is_file()} - {"manifest.json"}
    assert {"facts.json", "facts_state.json", "lexicon.json", "term_stats.json"} <= set(files)
    assert files == build_file_checksums(build)
    meta = json.loads((segment / "segment.json").read_text())
    in_segment = {p.relative_to(segment).as_posix() for p in segment.rglob("*") if p.is_file()} - {"segment.json"}
    assert set(meta["files"]) == in_segment
    assert {"chunks.jsonl", "units.jsonl", "articles.json", "vectors.npy", "facts_state.json"} <= in_segment
    assert meta["files"] == build_file_checksums(segment)
    assert all(len(checksum) == 64 for checksum in [*files.values(), *meta["files"].values()])


def _tamper(path: Path) -> None:
    """An edit that keeps the file well-formed: only a number in it changes."""
    text = path.read_text(encoding="utf-8")
    assert "42.8" in text, path.name
    path.write_text(text.replace("42.8", "99.9"), encoding="utf-8")


@pytest.mark.parametrize("name", ["chunks.jsonl", "units.jsonl", "articles.json", "facts.json"])
def test_a_tampered_build_file_is_detected_by_loading_and_verify(ws: Workspace, name: str) -> None:
    folder = current_build(ws) if name == "facts.json" else only_segment(ws)
    shown = name if name == "facts.json" else f"segments/{folder.name}/{name}"
    _tamper(folder / name)
    with pytest.raises(IndexDamagedError, match=rf"{shown} was changed since it was built; run: musebot index build"):
        load_index(ws.index, expected_model_id=None)
    report = ws.service.verify_index()
    assert not report.ok
    assert any(f"{shown} was changed" in problem and "musebot index build" in problem for problem in report.problems)


def test_a_tampered_segment_description_is_detected(ws: Workspace) -> None:
    meta = only_segment(ws) / "segment.json"
    meta.write_text(meta.read_text(encoding="utf-8").replace('"chunks": ', '"chunks":  '), encoding="utf-8")
    with pytest.raises(IndexDamagedError, match=r"segment\.json was changed since it was built"):
        load_index(ws.index, expected_model_id=None)


@pytest.mark.parametrize("name", ["facts.json", "articles.json"])
def test_cold_lookups_check_the_files_they_read(ws: Workspace, name: str) -> None:
    _tamper((current_build(ws) if name == "facts.json" else only_segment(ws)) / name)
    with pytest.raises(IndexDamagedError, match=f"{name} was changed"):
        load_facts_only(ws.index)


def test_an_intact_build_verifies(ws: Workspace) -> None:
    assert ws.service.verify_index().ok


def test_index_build_reads_the_facts_of_every_article_again(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Stale fact state (as an older extractor, or a hand edit, leaves it) with checksums that match.
    build, segment = current_build(ws), only_segment(ws)
    state_file = segment / "facts_state.json"
    state_file.write_text(state_file.read_text(encoding="utf-8").replace("42.8", "99.9"), encoding="utf-8")
    meta = json.loads((segment / "segment.json").read_text())
    meta["files"] = build_file_checksums(segment)
    (segment / "segment.json").write_text(json.dumps(meta))
    manifest = json.loads((build / "manifest.json").read_text())
    manifest["segments"][0]["checksum"] = hashlib.sha256((segment / "segment.json").read_bytes()).hexdigest()
    (build / "manifest.json").write_text(json.dumps(manifest))
    assert "99.9" in state_file.read_text(encoding="utf-8")
    assert load_index(ws.index, expected_model_id=None).facts  # the edit passes every check

    def make_service(settings: object) -> MuseService:
        config = ServiceConfig(corpus_dir=settings.corpus_dir, index_dir=settings.index_dir)  # type: ignore[attr-defined]
        return MuseService(config, embedder_factory=lambda: HashingEmbedder(dim=64))

    monkeypatch.setattr(context, "make_service", make_service)
    monkeypatch.setenv("MUSEBOT_CORPUS_DIR", str(ws.corpus))
    monkeypatch.setenv("MUSEBOT_INDEX_DIR", str(ws.index))
    assert cli.main(["index", "build"]) == 0
    facts, _sources = load_facts_only(ws.index)
    values = {fact.value_text for fact in facts if fact.benchmark == "HealthBench Hard" and fact.model == "Muse Spark"}
    assert values == {"42.8%"}
