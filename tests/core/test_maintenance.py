"""Re-indexing through MuseService: add, update, remove, list, verify; bad input; crashes; concurrency.

Real files in tmp folders and a real index on disk; the fake embedder stands in for the model.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pytest

from bot.core.corpus import load_corpus
from bot.core.embedding import HashingEmbedder
from bot.core.errors import MusebotError
from bot.core.index_store import read_current_build_id
from bot.core.maintenance import (
    JOURNAL_FILE,
    STAGING_DIR,
    find_near_duplicate,
    jaccard,
    plan_additions,
    read_article_upload,
    recover_interrupted_change,
    shingle_set,
)
from bot.core.models import Article
from bot.core.reporting import describe_change_lines
from bot.core.service import MuseService, ServiceConfig
from bot.core.text import split_answer_units

ROOT = Path(__file__).resolve().parents[2]
DRIVER = ROOT / "tests" / "maintenance_driver.py"

LAUNCH = """---
id: launch
title: Meta launches Muse Spark
outlet: Tech Daily
url: https://example.com/launch
published: 2026-04-08
---
Meta launched Muse Spark on April 8 from Meta Superintelligence Labs, its first closed frontier model.

## Benchmarks

Muse Spark scored 42.8% on HealthBench Hard, ahead of GPT-5.4 at 40.1%.
"""

CODING = """---
id: coding
title: Muse Spark coding results
outlet: Dev Journal
published: 2026-04-09
---
On SWE-Bench Verified, Muse Spark scored 61.5% and trails Claude Opus 4.6.

Contemplating mode runs several agents in parallel to solve harder tasks.
"""

WHATSAPP = """---
title: Muse Spark reaches WhatsApp
outlet: Chat News
url: https://example.com/whatsapp
published: 2026-04-10
---
Meta said Muse Spark will reach WhatsApp and Instagram users in the coming weeks, starting in the United States.

The rollout is gradual, and the company did not say when Europe would follow.
"""
WHATSAPP_ID = "muse-spark-reaches-whatsapp"

RIVAL_HEALTH = """---
id: rival-health
title: Health benchmark numbers disputed
outlet: Health Wire
---
Independent testers measured Muse Spark at 45.1% on HealthBench Hard, higher than Meta's figure.

Doctors reviewed a sample of its answers for safety.
"""


class CountingEmbedder(HashingEmbedder):
    """The fake embedder, counting the texts it is asked to embed."""

    def __init__(self) -> None:
        super().__init__(dim=64)
        self.texts: list[str] = []

    def embed(self, texts: Sequence[str], *, batch_size: int = 32, progress: Callable[[int], None] | None = None):
        self.texts.extend(texts)
        return super().embed(texts, batch_size=batch_size, progress=progress)


class Workspace:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.corpus = root / "corpus"
        self.index = root / "index"
        self.inbox = root / "inbox"
        for folder in (self.corpus, self.inbox):
            folder.mkdir()
        self.embedder = CountingEmbedder()
        self.service = self.new_service()

    def new_service(self) -> MuseService:
        return MuseService(
            ServiceConfig(corpus_dir=self.corpus, index_dir=self.index), embedder_factory=lambda: self.embedder
        )

    def write(self, name: str, text: str | bytes) -> Path:
        path = self.inbox / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    def corpus_files(self) -> dict[str, bytes]:
        return {
            p.relative_to(self.corpus).as_posix(): p.read_bytes()
            for p in sorted(self.corpus.rglob("*"))
            if p.is_file() and not p.relative_to(self.corpus).as_posix().startswith(".")
        }

    def corpus_ids(self) -> set[str]:
        return {a.id for a in load_corpus(self.corpus).articles}

    def state(self) -> tuple[str | None, dict[str, bytes]]:
        return read_current_build_id(self.index), self.corpus_files()


def _indexed_ids(service: MuseService) -> set[str]:
    return {row.id for row in service.list_articles()}


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    workspace = Workspace(tmp_path)
    (workspace.corpus / "launch.md").write_text(LAUNCH, encoding="utf-8")
    (workspace.corpus / "coding.md").write_text(CODING, encoding="utf-8")
    workspace.service.build_index()
    workspace.embedder.texts.clear()
    return workspace


def _fresh_ids(ws: Workspace) -> set[str]:
    return _indexed_ids(ws.new_service())


# ---------------------------------------------------------------------------------------------
# add


def test_add_copies_the_file_indexes_it_and_embeds_only_its_chunks(ws: Workspace) -> None:
    path = ws.write("whatsapp.md", WHATSAPP)
    before = ws.service.ensure_ready().index
    report = ws.service.add_articles([path])

    after = ws.service.ensure_ready().index
    new_chunks = [c for c in after.chunks if c.article_id == WHATSAPP_ID]
    assert report.added == (WHATSAPP_ID,)
    assert report.updated == report.removed == ()
    assert report.chunks_added == len(new_chunks) == report.chunks_embedded > 0
    # Only the new article's chunks and their answer units were embedded, nothing of the others, then the words
    # the corpus had not used before (lexicon words are single words; no passage is one word).
    new_units = [unit for c in new_chunks for unit in split_answer_units(c.text)]
    passages = [t for t in ws.embedder.texts if " " in t or "\n" in t]
    words = [t for t in ws.embedder.texts if " " not in t and "\n" not in t]
    assert sorted(passages) == sorted([*(c.embed_text for c in new_chunks), *new_units])
    assert words
    assert set(words) <= set(after.lexicon.words) - set(before.lexicon.words)
    assert report.build_id == after.build_id != before.build_id
    assert read_current_build_id(ws.index) == report.build_id
    assert ws.corpus_files()[f"{WHATSAPP_ID}.md"] == path.read_bytes()
    lines = describe_change_lines(report)
    assert f"articles added: {WHATSAPP_ID}" in lines
    answer = ws.service.ask("Muse Spark WhatsApp rollout United States")
    assert WHATSAPP_ID in {c.article_id for c in answer.citations}
    assert ws.service.verify_index().ok


def test_add_a_folder_skips_hidden_and_unsupported_files(ws: Workspace) -> None:
    ws.write("batch/whatsapp.md", WHATSAPP)
    ws.write("batch/nested/rival.md", RIVAL_HEALTH)
    ws.write("batch/.hidden.md", WHATSAPP.replace("WhatsApp", "Threads"))
    ws.write("batch/notes.pdf", b"%PDF-1.4")
    report = ws.service.add_articles([ws.inbox / "batch"])
    assert report.added == ("muse-spark-reaches-whatsapp", "rival-health")
    assert {"rival-health.md", f"{WHATSAPP_ID}.md"} <= set(ws.corpus_files())


def test_fact_changes_and_conflicts_are_reported(ws: Workspace) -> None:
    report = ws.service.add_articles([ws.write("rival.md", RIVAL_HEALTH)])
    assert [(c.benchmark, c.model, c.before, c.after) for c in report.fact_changes] == [
        ("HealthBench Hard", "Muse Spark", "", "45.1%")
    ]
    assert report.conflicts_introduced == ("HealthBench Hard · Muse Spark: 42.8% (launch) vs 45.1% (rival-health)",)
    assert ws.service.benchmark_table("HealthBench Hard").rows[0].is_conflict

    report = ws.service.remove_articles(["rival-health"])
    assert report.conflicts_resolved == ("HealthBench Hard · Muse Spark: 42.8% (launch) vs 45.1% (rival-health)",)


def test_update_by_id_replaces_old_chunks_and_facts(ws: Workspace) -> None:
    old_chunks = {c.id: c.text for c in ws.service.ensure_ready().index.chunks if c.article_id == "launch"}
    changed = LAUNCH.replace("42.8%", "44.0%")
    report = ws.service.add_articles([ws.write("launch-v2.md", changed)])

    assert report.updated == ("launch",)
    assert report.added == report.removed == ()
    assert [(c.before, c.after) for c in report.fact_changes if c.model == "Muse Spark"] == [("42.8%", "44.0%")]
    assert report.chunks_embedded == 1  # the benchmarks paragraph; the intro chunk's vector is reused
    index = ws.service.ensure_ready().index
    texts = [c.text for c in index.chunks if c.article_id == "launch"]
    assert not any("42.8%" in text for text in texts)
    assert any("44.0%" in text for text in texts)
    assert len([c for c in index.chunks if c.article_id == "launch"]) == len(old_chunks)
    values = [f.value_text for f in ws.service.benchmark_table("HealthBench Hard").rows[0].facts]
    assert values == ["44.0%"]
    assert ws.corpus_files()["launch.md"] == changed.encode()
    assert "launch-v2.md" not in ws.corpus_files()
    assert ws.service.verify_index().ok


def test_update_in_another_format_replaces_the_old_file(ws: Workspace) -> None:
    text = "Meta launches Muse Spark\nOutlet: Tech Daily\nURL: https://example.com/launch\n\nMuse Spark is new.\n"
    report = ws.service.add_articles([ws.write("launch.txt", text)])
    # Same URL, no front-matter id: the new text replaces the article the URL names.
    assert report.added == ("meta-launches-muse-spark",)
    assert report.removed == ("launch",)
    files = ws.corpus_files()
    assert "launch.md" not in files
    assert files["meta-launches-muse-spark.txt"] == text.encode()
    assert ws.service.verify_index().ok


def test_identical_content_is_skipped_without_a_build(ws: Workspace) -> None:
    build = read_current_build_id(ws.index)
    report = ws.service.add_articles([ws.write("copy-of-launch.md", LAUNCH)])
    assert report.is_noop
    assert report.build_id == build == read_current_build_id(ws.index)
    assert report.skipped == ((str(ws.inbox / "copy-of-launch.md"), "same text as the indexed article launch; "
                                                                    "nothing to update"),)  # fmt: skip
    assert ws.embedder.texts == []
    assert "copy-of-launch.md" not in ws.corpus_files()
    assert any(line.startswith("skipped ") for line in describe_change_lines(report))


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("outlet: Tech Daily", "outlet: Tech Weekly"),
        ("url: https://example.com/launch", "url: https://example.com/2026/launch"),
        ("published: 2026-04-08", "published: 2026-04-07"),
        ("outlet: Tech Daily", "outlet: Tech Daily\nauthor: Ana Li"),
    ],
)
def test_an_update_of_the_front_matter_alone_is_applied_without_re_embedding(ws: Workspace, old: str, new: str) -> None:
    before = ws.service.ensure_ready().index.articles["launch"]
    changed = LAUNCH.replace(old, new)
    report = ws.service.add_articles([ws.write("launch.md", changed)])

    assert report.updated == ("launch",)
    assert report.skipped == ()
    assert "articles updated: launch" in describe_change_lines(report)
    assert report.chunks_embedded == 0  # the embedded text (title, heading, passage) did not change
    assert ws.corpus_files()["launch.md"] == changed.encode()
    fresh = ws.new_service()
    after = fresh.ensure_ready().index.articles["launch"]
    field, _, value = new.splitlines()[-1].partition(": ")
    assert getattr(after, field) == value != getattr(before, field)
    source = next(s for s in fresh.list_sources() if s.article_id == "launch")
    assert (source.outlet, source.url) == (after.outlet, after.url)
    assert fresh.verify_index().ok
    assert not fresh.index_status().is_stale
    again = ws.service.add_articles([ws.write("launch.md", changed)])  # the identical file: still skipped
    assert again.is_noop
    assert again.skipped == (
        (str(ws.inbox / "launch.md"), "same text as the indexed article launch; nothing to update"),
    )


def test_an_identical_file_is_skipped_against_a_build_hashed_the_older_way(tmp_path: Path) -> None:
    upload = read_article_upload(LAUNCH.encode(), "launch.md")
    indexed = dataclasses.replace(upload.article, content_hash="a1b2")  # what a build before the front matter held
    plan = plan_additions([upload], {"launch": indexed}, tmp_path)
    assert plan.is_empty
    assert plan.skipped == (("launch.md", "same text as the indexed article launch; nothing to update"),)


def test_front_matter_edited_in_corpus_by_hand_makes_the_index_stale(ws: Workspace) -> None:
    (ws.corpus / "launch.md").write_text(LAUNCH.replace("outlet: Tech Daily", "outlet: Tech Weekly"), encoding="utf-8")
    service = ws.new_service()
    assert service.index_status().stale_changed == ("launch",)
    assert any("launch.md (launch) changed since it was indexed" in p for p in service.verify_index().problems)
    service.ensure_ready()  # a reader updates a stale index when it can
    assert service.ensure_ready().index.articles["launch"].outlet == "Tech Weekly"
    assert ws.new_service().verify_index().ok


ANALYSIS = """---
id: analysis
title: What Muse Spark means for Meta
outlet: Strategy Weekly
---
Meta spent three years arguing that open models were the future, and Llama became the backbone of thousands of
startups and research projects. Muse Spark breaks with that: it is the first frontier model from Meta
Superintelligence Labs, and its weights are not released.

The lab was built around Alexandr Wang after the Scale AI deal, and it took nine months to ship the model. Meta says
the model reaches its reasoning ability with far less compute than Llama 4 Maverick, thanks to a training technique
it calls thought compression.

Developers get a private API preview rather than downloadable weights, which changes how startups that built on Llama
will plan their next products. Analysts expect other labs to keep a similar split between open and closed models.
"""


def test_near_duplicate_is_skipped_unless_forced(ws: Workspace) -> None:
    ws.service.add_articles([ws.write("analysis.md", ANALYSIS)])
    syndicated = (
        ANALYSIS.replace("id: analysis", "id: analysis-syndicated")
        .replace("title: What Muse Spark means for Meta", "title: Meta's closed turn")
        .replace("Strategy Weekly", "Wire Copy")
        .replace("Analysts expect", "Several analysts quoted by the wire expect")
    )
    path = ws.write("syndicated.md", syndicated)
    build = read_current_build_id(ws.index)
    report = ws.service.add_articles([path])
    assert report.is_noop
    assert report.build_id == build
    ((name, reason),) = report.skipped
    assert name == str(path)
    assert re.fullmatch(r"near-duplicate of analysis \(\d\d% of their 5-word phrases are shared\); "
                        r"add it with --force to keep both", reason)  # fmt: skip

    forced = ws.service.add_articles([path], force=True)
    assert forced.added == ("analysis-syndicated",)


def test_near_duplicates_within_one_batch(ws: Workspace) -> None:
    twin = WHATSAPP.replace("Chat News", "Other News").replace("https://example.com/whatsapp", "https://b.example/w")
    twin = twin.replace("title: Muse Spark reaches WhatsApp", "title: WhatsApp gets Muse Spark")
    report = ws.service.add_articles([ws.write("a.md", WHATSAPP), ws.write("b.md", twin)])
    assert report.added == (WHATSAPP_ID,)
    assert report.skipped[0][1].startswith(f"near-duplicate of {WHATSAPP_ID}")


def test_shingle_similarity() -> None:
    text = " ".join(f"word{i}" for i in range(100))
    assert jaccard(shingle_set(text), shingle_set(text)) == 1.0
    edited = text.replace("word50", "changed")
    assert 0.8 < jaccard(shingle_set(text), shingle_set(edited)) < 1.0
    assert jaccard(shingle_set(text), shingle_set("something else entirely")) == 0.0
    article = Article(id="a", title="A", outlet="", body=text)
    others = [
        Article(id="short", title="S", outlet="", body="word1 word2"),
        Article(id="b", title="B", outlet="", body=edited),
    ]
    match = find_near_duplicate(article, others)
    assert match is not None
    assert match[0] == "b"


def test_add_article_bytes(ws: Workspace) -> None:
    report = ws.service.add_article_bytes(WHATSAPP.encode(), "upload.md")
    assert report.added == (WHATSAPP_ID,)
    assert f"{WHATSAPP_ID}.md" in ws.corpus_files()


def test_a_running_bot_picks_up_the_change(ws: Workspace) -> None:
    bot = ws.new_service()
    bot.ensure_ready()
    cli = ws.new_service()
    cli.add_articles([ws.write("whatsapp.md", WHATSAPP)])
    assert bot.refresh_if_changed()
    assert WHATSAPP_ID in _indexed_ids(bot)


# ---------------------------------------------------------------------------------------------
# remove


def test_remove_takes_passages_and_facts_away(ws: Workspace) -> None:
    report = ws.service.remove_articles(["launch"])
    assert report.removed == ("launch",)
    assert report.chunks_removed == 2
    assert {(c.model, c.before, c.after) for c in report.fact_changes} == {
        ("Muse Spark", "42.8%", ""),
        ("GPT-5.4", "40.1%", ""),
    }
    assert "launch.md" not in ws.corpus_files()
    for service in (ws.service, ws.new_service()):
        index = service.ensure_ready().index
        assert all(c.article_id != "launch" for c in index.chunks)
        answer = service.ask("How did Muse Spark do on HealthBench Hard?")
        assert all(c.article_id != "launch" for c in answer.citations)
        assert "42.8" not in answer.text
        with pytest.raises(LookupError):
            service.benchmark_table("HealthBench Hard")
    assert ws.service.verify_index().ok


def test_remove_unknown_id_suggests_known_ones(ws: Workspace) -> None:
    before = ws.state()
    with pytest.raises(MusebotError, match=r"'lanch' \(did you mean launch\?\)") as caught:
        ws.service.remove_articles(["lanch"])
    assert "Nothing was removed" in str(caught.value)
    with pytest.raises(MusebotError, match="every article"):
        ws.service.remove_articles(["launch", "coding"])
    assert ws.state() == before


# ---------------------------------------------------------------------------------------------
# list and verify


def test_list_articles(ws: Workspace) -> None:
    rows = {row.id: row for row in ws.service.list_articles()}
    assert set(rows) == {"launch", "coding"}
    assert (rows["launch"].title, rows["launch"].outlet, rows["launch"].published) == (
        "Meta launches Muse Spark",
        "Tech Daily",
        "2026-04-08",
    )
    assert (rows["launch"].chunks, rows["launch"].facts) == (2, 2)
    assert (rows["coding"].chunks, rows["coding"].facts) == (1, 1)
    assert [row.id for row in ws.new_service().list_articles()] == ["coding", "launch"]  # newest first


def test_verify_detects_a_tampered_corpus_file(ws: Workspace) -> None:
    assert ws.service.verify_index().ok
    launch = ws.corpus / "launch.md"
    launch.write_text(LAUNCH.replace("42.8%", "99.9%"), encoding="utf-8")
    report = ws.service.verify_index()
    assert not report.ok
    assert report.problems == (
        "launch.md (launch) changed since it was indexed; run: musebot index add launch.md (or musebot index build)",
    )


def test_verify_detects_missing_and_extra_articles(ws: Workspace) -> None:
    (ws.corpus / "coding.md").unlink()
    (ws.corpus / "whatsapp.md").write_text(WHATSAPP, encoding="utf-8")
    (ws.corpus / "broken.md").write_bytes(b"")
    problems = ws.service.verify_index().problems
    assert any(p.startswith("corpus file unusable: broken.md: the file is empty") for p in problems)
    assert f"whatsapp.md ({WHATSAPP_ID}) is in corpus/ but not in the index; run: musebot index build" in problems
    assert "coding is indexed but has no file in corpus/; run: musebot index remove coding" in problems


def test_verify_detects_damaged_build_files(ws: Workspace) -> None:
    build = ws.index / "builds" / read_current_build_id(ws.index)
    segment = ws.index / "segments" / json.loads((build / "manifest.json").read_text())["segments"][0]["id"]
    vectors = np.load(segment / "vectors.npy")
    np.save(segment / "vectors.npy", vectors[:-1])
    report = ws.service.verify_index()
    assert not report.ok
    assert "vectors.npy is float32" in report.problems[0]
    (build / "manifest.json").write_text("{not json")
    assert "cannot read manifest.json" in ws.service.verify_index().problems[0]


# ---------------------------------------------------------------------------------------------
# bad input changes nothing and says why


BAD_FILES = [
    ("empty.md", b"", "the file is empty"),
    ("blank.txt", b"  \n\n ", "the file is empty"),
    ("image.md", b"\x89PNG\r\n\x1a\n\x00\x00", "a PNG image, not text"),
    ("nul.txt", b"Title\n\nsome\x00binary\x00data\x01\x02", "binary, not text"),
    ("latin.txt", b"Title\n\nBad bytes \x81\x8d\x8f here", "not valid UTF-8"),
    ("nav.html", b"<html><body><nav><a href='/'>Home</a> <a href='/x'>News</a></nav></body></html>", "no article text"),
    ("doc.pdf", b"%PDF-1.4 ...", "unsupported file type ('.pdf')"),
    ("noext", b"Title\n\nText here.", "unsupported file type (no extension)"),
    ("badid.md", b"---\nid: Bad Id!\ntitle: T\n---\nSome text here.", "the id 'Bad Id!' is not a safe id"),
    ("traversal.md", b"---\nid: ../../etc\ntitle: T\n---\nSome text here.", "is not a safe id"),
    ("yaml.md", b"---\ntitle: [unclosed\n---\nText.", "front matter is not valid YAML"),
]


@pytest.mark.parametrize(("name", "data", "reason"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_file_changes_nothing_and_says_why(ws: Workspace, name: str, data: bytes, reason: str) -> None:
    before = ws.state()
    bad = ws.write(name, data)
    good = ws.write("whatsapp.md", WHATSAPP)
    with pytest.raises(MusebotError) as caught:
        ws.service.add_articles([good, bad])  # one bad file: the good one is not added either
    assert reason in str(caught.value)
    assert str(caught.value).startswith("Nothing was added.")
    with pytest.raises(MusebotError, match=re.escape(reason)):
        ws.service.add_article_bytes(data, name)
    assert ws.state() == before
    assert ws.embedder.texts == []


def test_oversize_file_is_refused_before_reading(ws: Workspace) -> None:
    before = ws.state()
    big = ws.inbox / "big.md"
    with big.open("wb") as handle:
        handle.truncate(5 * 1024 * 1024 + 1)  # sparse: nothing to read, only the size counts
    with pytest.raises(MusebotError, match=r"5\.0 MB, over the 5 MB limit"):
        ws.service.add_articles([big])
    with pytest.raises(MusebotError, match="over the 5 MB limit"):
        ws.service.add_article_bytes(b"x" * (5 * 1024 * 1024 + 1), "big.md")
    assert ws.state() == before


@pytest.mark.parametrize("name", ["../escape.md", "a/b.md", "a\\b.md", "..", ""])
def test_upload_names_with_folders_are_refused(ws: Workspace, name: str) -> None:
    before = ws.state()
    with pytest.raises(MusebotError, match="plain name without folders"):
        ws.service.add_article_bytes(WHATSAPP.encode(), name)
    assert ws.state() == before


def test_missing_paths_and_empty_folders_and_duplicate_ids(ws: Workspace) -> None:
    before = ws.state()
    with pytest.raises(MusebotError, match="no such file or folder"):
        ws.service.add_articles([ws.inbox / "nope.md"])
    (ws.inbox / "empty").mkdir()
    with pytest.raises(MusebotError, match=r"the folder has no \.md, \.txt or \.html files"):
        ws.service.add_articles([ws.inbox / "empty"])
    a = ws.write("a.md", WHATSAPP)
    b = ws.write("b.md", WHATSAPP.replace("gradual", "slow"))
    with pytest.raises(MusebotError, match=f"are both the article '{WHATSAPP_ID}'"):
        ws.service.add_articles([a, b])
    assert ws.state() == before


# ---------------------------------------------------------------------------------------------
# concurrency


def test_concurrent_adds_in_one_process_both_land(ws: Workspace) -> None:
    paths = [ws.write("whatsapp.md", WHATSAPP), ws.write("rival.md", RIVAL_HEALTH)]
    errors: list[BaseException] = []

    def add(path: Path) -> None:
        try:
            ws.service.add_articles([path])
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=add, args=(p,)) for p in paths]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    expected = {"launch", "coding", WHATSAPP_ID, "rival-health"}
    assert _fresh_ids(ws) == expected == ws.corpus_ids()
    assert ws.service.verify_index().ok


def _driver(ws: Workspace, *args: str, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(DRIVER), str(ws.corpus), str(ws.index), *args],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.slow
def test_concurrent_adds_in_two_processes_both_land(ws: Workspace) -> None:
    first = _driver(ws, "add", str(ws.write("whatsapp.md", WHATSAPP)), DRIVER_EMBED_DELAY="1.0")
    time.sleep(0.3)
    second = _driver(ws, "add", str(ws.write("rival.md", RIVAL_HEALTH)), DRIVER_EMBED_DELAY="0.2")
    reports = []
    for process in (first, second):
        out, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
        reports.append(json.loads(out.strip().splitlines()[-1]))
    assert sorted(r["added"][0] for r in reports) == ["muse-spark-reaches-whatsapp", "rival-health"]
    assert {tuple(r["added"]) for r in reports} == {(WHATSAPP_ID,), ("rival-health",)}  # each diff is its own
    assert _fresh_ids(ws) == {"launch", "coding", WHATSAPP_ID, "rival-health"} == ws.corpus_ids()
    assert ws.service.verify_index().ok


# ---------------------------------------------------------------------------------------------
# nothing lost: SIGKILL at each step, then recover


def _kill_at(ws: Workspace, point: str, *args: str) -> None:
    pause_file = ws.root / f"paused-{point}"
    process = _driver(ws, *args, DRIVER_PAUSE_AT=point, DRIVER_PAUSE_FILE=str(pause_file))
    deadline = time.monotonic() + 60
    while not pause_file.exists():
        if process.poll() is not None:
            pytest.fail(f"driver exited before {point}: {process.communicate()}")
        assert time.monotonic() < deadline, f"driver never reached {point}"
        time.sleep(0.02)
    os.kill(process.pid, signal.SIGKILL)
    process.communicate(timeout=10)
    assert process.returncode == -signal.SIGKILL


@pytest.mark.slow
@pytest.mark.parametrize("point", ["embed", "swap"])
def test_killed_before_the_swap_the_old_build_serves_and_the_next_run_rolls_back(ws: Workspace, point: str) -> None:
    before = ws.state()
    _kill_at(ws, point, "add", str(ws.write("whatsapp.md", WHATSAPP)))

    assert ws.state() == before  # CURRENT and every visible corpus file as they were
    assert (ws.index / JOURNAL_FILE).exists()
    assert ws.corpus_ids() == {"launch", "coding"}
    bot = ws.new_service()
    assert _indexed_ids(bot) == {"launch", "coding"}
    assert "interrupted add of muse-spark-reaches-whatsapp is pending" in bot.verify_index().problems[0]

    # The next start-up that serves questions finishes the recovery before answering.
    notes: list[str] = []
    bot.ensure_ready(notify=notes.append)
    assert notes[0] == (
        "Recovered: rolled back an interrupted add of muse-spark-reaches-whatsapp (the previous build kept serving)"
    )
    if point == "embed":
        assert any(n.startswith("Recovered: removed half-made build builds/") and n.endswith(".partial") for n in notes)
    assert bot.ask("How did Muse Spark do on HealthBench Hard?").citations
    assert not (ws.index / JOURNAL_FILE).exists()

    report = bot.add_articles([ws.write("rival.md", RIVAL_HEALTH)])
    assert report.recovered == ()
    assert report.added == ("rival-health",)
    assert not (ws.index / JOURNAL_FILE).exists()
    assert not (ws.corpus / STAGING_DIR).exists()
    assert _fresh_ids(ws) == {"launch", "coding", "rival-health"} == ws.corpus_ids()
    assert ws.service.verify_index().ok
    assert not any(p.name.endswith(".partial") for p in (ws.index / "builds").iterdir())


@pytest.mark.slow
def test_killed_after_the_swap_the_next_run_rolls_forward(ws: Workspace) -> None:
    old_build = read_current_build_id(ws.index)
    _kill_at(ws, "apply", "add", str(ws.write("whatsapp.md", WHATSAPP)))

    assert read_current_build_id(ws.index) != old_build  # the new build already serves
    assert WHATSAPP_ID in _fresh_ids(ws)
    assert WHATSAPP_ID not in ws.corpus_ids()  # until recovery moves the staged file in

    report = ws.new_service().remove_articles(["coding"])
    assert report.recovered == (
        "finished an interrupted add of muse-spark-reaches-whatsapp (its build was already serving)",
    )
    assert report.removed == ("coding",)
    assert _fresh_ids(ws) == {"launch", WHATSAPP_ID} == ws.corpus_ids()
    assert ws.corpus_files()[f"{WHATSAPP_ID}.md"] == WHATSAPP.encode()
    assert ws.service.verify_index().ok


@pytest.mark.slow
@pytest.mark.parametrize(("point", "survives"), [("swap", True), ("apply", False)])
def test_killed_remove(ws: Workspace, point: str, survives: bool) -> None:
    _kill_at(ws, point, "remove", "coding")
    assert ("coding.md" in ws.corpus_files()) is True  # corpus/ is only touched after the swap
    report = ws.new_service().add_articles([ws.write("whatsapp.md", WHATSAPP)])
    assert report.recovered[0].startswith("rolled back" if survives else "finished")
    expected = {"launch", WHATSAPP_ID} | ({"coding"} if survives else set())
    assert _fresh_ids(ws) == expected == ws.corpus_ids()
    assert ws.service.verify_index().ok


def test_staged_files_without_a_journal_are_cleaned_up(ws: Workspace) -> None:
    stray = ws.corpus / STAGING_DIR / "20260101T000000-deadbeef"
    stray.mkdir(parents=True)
    (stray / "0000-ghost.md").write_text(WHATSAPP, encoding="utf-8")
    assert ws.corpus_ids() == {"launch", "coding"}  # the loader never sees staged files
    report = ws.service.add_articles([ws.write("rival.md", RIVAL_HEALTH)])
    assert report.recovered == ("deleted files staged by an interrupted change that never started: ghost.md",)
    assert not (ws.corpus / STAGING_DIR).exists()


def test_a_failed_build_leaves_everything_as_it_was(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    before = ws.state()

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("embedder crashed")

    monkeypatch.setattr(ws.embedder, "embed", broken)
    with pytest.raises(RuntimeError, match="embedder crashed"):
        ws.service.add_articles([ws.write("whatsapp.md", WHATSAPP)])
    assert ws.state() == before
    assert not (ws.index / JOURNAL_FILE).exists()
    assert not (ws.corpus / STAGING_DIR).exists()


def test_recovery_called_during_a_change_leaves_that_change_alone(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Entry points may call recover_interrupted_change at any time, even from inside a build."""
    real_build = ws.service.build_index

    def build_after_recovery(**kwargs: object) -> object:
        assert recover_interrupted_change(ws.corpus, ws.index) == ()
        return real_build(**kwargs)

    monkeypatch.setattr(ws.service, "build_index", build_after_recovery)
    report = ws.service.add_articles([ws.write("whatsapp.md", WHATSAPP)])
    assert report.added == (WHATSAPP_ID,)
    assert WHATSAPP_ID in ws.corpus_ids()
    assert ws.service.verify_index().ok
