"""One bad file never takes down the corpus: it is named and skipped, the rest keeps serving.

Also: text the loader used to refuse (UTF-16 with a BOM, HTML nested deeper than libxml2 reads).
Real files and a real index in tmp folders; the fake embedder stands in for the model.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import cli
from bot.cli import context
from bot.core.corpus import ArticleError, load_corpus, parse_article
from bot.core.embedding import HashingEmbedder
from bot.core.errors import MusebotError
from bot.core.service import MuseService, ServiceConfig
from tests.core.test_maintenance import LAUNCH, WHATSAPP, WHATSAPP_ID, Workspace

BAD_DATE = b"---\nid: typo\ntitle: A date typo\npublished: 2026-13-45\n---\nMuse Spark text with a bad date.\n"
DEEP_YAML = b"---\nid: deep\ntitle: " + b"[" * 20_000 + b"\n---\nMuse Spark text under deep YAML.\n"
DEEP_BLOCK_YAML = b"---\nid: deeper\ntitle: T\ntags: " + b"- " * 20_000 + b"x\n---\nMuse Spark text.\n"
BAD_FILES = {
    "date-typo.md": (BAD_DATE, "the front matter has a value that is not valid (month must be in 1..12)"),
    "deep-yaml.md": (DEEP_YAML, "the front matter is nested too deeply"),
    "deep-block.md": (DEEP_BLOCK_YAML, "the front matter"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_a_bad_front_matter_is_an_article_error_naming_the_file(name: str) -> None:
    data, reason = BAD_FILES[name]
    with pytest.raises(ArticleError) as caught:
        parse_article(data, name)
    assert str(caught.value).startswith(f"{name}: {reason}")


@pytest.fixture
def served(tmp_path: Path) -> Workspace:
    """A built index, then bad files dropped into corpus/ by hand."""
    ws = Workspace(tmp_path)
    (ws.corpus / "launch.md").write_text(LAUNCH, encoding="utf-8")
    ws.service.build_index()
    for name, (data, _reason) in BAD_FILES.items():
        (ws.corpus / name).write_bytes(data)
    return ws


def test_bad_files_in_corpus_are_named_and_skipped_by_the_loader(served: Workspace) -> None:
    loaded = load_corpus(served.corpus)
    assert [a.id for a in loaded.articles] == ["launch"]
    assert sorted(Path(e.path).name for e in loaded.errors) == sorted(BAD_FILES)


def test_ask_status_build_and_verify_go_on_around_bad_files(served: Workspace) -> None:
    fresh = served.new_service()  # like a restarted bot or a cold `musebot ask`
    answer = fresh.ask("When did Meta launch Muse Spark?")
    assert "launch" in {c.article_id for c in answer.citations}
    status = fresh.index_status()
    assert status.stats is not None
    assert {error.split(":")[0] for error in status.corpus_errors} == set(BAD_FILES)
    report = fresh.build_index()
    assert report.build_id
    verify = fresh.verify_index()
    assert not verify.ok
    for name in BAD_FILES:
        assert any(problem.startswith(f"corpus file unusable: {name}:") for problem in verify.problems), name


def test_cli_verify_fails_and_names_the_bad_file(
    served: Workspace, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def make_service(settings: object) -> MuseService:
        config = ServiceConfig(corpus_dir=settings.corpus_dir, index_dir=settings.index_dir)  # type: ignore[attr-defined]
        return MuseService(config, embedder_factory=lambda: HashingEmbedder(dim=64))

    monkeypatch.setattr(context, "make_service", make_service)
    monkeypatch.setenv("MUSEBOT_CORPUS_DIR", str(served.corpus))
    monkeypatch.setenv("MUSEBOT_INDEX_DIR", str(served.index))
    assert cli.main(["index", "verify"]) == 1
    out = capsys.readouterr().out
    assert "date-typo.md: the front matter has a value that is not valid" in out
    assert "deep-yaml.md: the front matter is nested too deeply" in out
    assert cli.main(["index", "status"]) == 0
    assert "skipped: date-typo.md" in capsys.readouterr().out


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_a_bad_file_offered_to_add_is_refused_in_one_line(served: Workspace, name: str) -> None:
    data, reason = BAD_FILES[name]
    for bad in BAD_FILES:
        (served.corpus / bad).unlink()
    before = served.state()
    with pytest.raises(MusebotError) as caught:
        served.service.add_articles([served.write(name, data), served.write("whatsapp.md", WHATSAPP)])
    assert "\n" not in str(caught.value)
    assert reason in str(caught.value)
    with pytest.raises(MusebotError, match="front matter"):
        served.service.add_article_bytes(data, name)
    assert served.state() == before
    assert served.service.add_article_bytes(WHATSAPP.encode(), "whatsapp.md").added == (WHATSAPP_ID,)


# ---------------------------------------------------------------------------------------------
# text the loader used to refuse

ARTICLE_TEXT = "Muse Spark review\n\nMeta launched Muse Spark on April 8, and it scored 42.8 on HealthBench Hard.\n"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_with_a_bom_are_read(encoding: str) -> None:
    bom = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}.get(encoding, b"")
    article = parse_article(bom + ARTICLE_TEXT.encode(encoding), "review.txt")
    assert article.title == "Muse Spark review"
    assert "42.8 on HealthBench Hard" in article.body


def test_utf16_that_does_not_decode_is_refused_with_the_reason() -> None:
    with pytest.raises(ArticleError, match="the text is not valid UTF-16-LE"):
        parse_article(b"\xff\xfe" + "Muse Spark".encode("utf-16-le") + b"\x00\xd8", "review.txt")


@pytest.mark.parametrize("depth", [300, 5_000, 100_000])
def test_html_nested_deeper_than_libxml2_reads_is_flattened(depth: int) -> None:
    paragraph = "<p>Meta launched Muse Spark on April 8, and it scored 42.8 on HealthBench Hard in tests.</p>"
    page = (
        "<html><head><title>Muse Spark, deeply nested</title></head><body>"
        + "<div><span>" * (depth // 2)
        + paragraph * 2
        + "</span></div>" * (depth // 2)
        + "</body></html>"
    )
    article = parse_article(page.encode(), "deep.html")
    assert article.title == "Muse Spark, deeply nested"
    assert "42.8 on HealthBench Hard" in article.body
