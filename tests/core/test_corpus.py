"""Reading articles from .md / .txt / .html into Article, and rejecting files that cannot be used."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from pathlib import Path

import pytest

from bot.core.chunking import approximate_token_counter, split_into_chunks
from bot.core.corpus import (
    MAX_ARTICLE_BYTES,
    SUPPORTED_EXTENSIONS,
    UNKNOWN_OUTLET,
    ArticleError,
    CorpusLoad,
    compute_content_hash,
    derive_article_id,
    is_safe_slug,
    load_article,
    load_corpus,
    parse_article,
)
from bot.core.errors import MusebotError
from bot.core.facts import extract_facts

ROOT = Path(__file__).resolve().parents[2]
ARTICLES = ROOT / "tests" / "data" / "articles"
CORPUS = ROOT / "corpus"
SEEDS = ROOT / "tests" / "data" / "seeds"  # copies of the two launch articles as first received
HELDOUT = ROOT / "tests" / "data" / "heldout" / "corpus"
SEED_1 = SEEDS / "000_3e633fd9bb7c71ff.txt"
SEED_2 = SEEDS / "002_dd5cbccf3b60a95b.txt"

INTELLIGENCE_TABLE = (
    "Model Intelligence Index Score\nGemini 3.1 Pro Preview 57\nGPT-5.4 57\nClaude Opus 4.6 53\nMuse Spark 52"
)


def headings_of(body: str) -> list[str]:
    return [line[3:] for line in body.split("\n") if line.startswith("## ")]


def md(front_matter: str, body: str = "Muse Spark scores 52 on the Intelligence Index.") -> bytes:
    return f"---\n{front_matter}\n---\n\n{body}\n".encode()


# ---------------------------------------------------------------------------------------------- formats


def test_markdown_with_front_matter() -> None:
    path = ARTICLES / "muse-spark-health-vision.md"
    article = load_article(path)
    assert article.id == "clinical-ai-review-muse-spark-health"
    assert article.title == "Muse Spark leads on HealthBench Hard: what Meta's model means for clinical AI"
    assert article.outlet == "Clinical AI Review"
    assert article.author == "Dana Whitfield"
    assert article.url == "https://clinicalaireview.example/2026/04/muse-spark-healthbench"
    assert article.published == "2026-04-10"  # a YAML date, written back as ISO
    assert article.source_path == str(path)
    assert article.body.startswith("Meta's Muse Spark is the first model")  # the repeated "# title" is dropped
    assert headings_of(article.body) == ["The scores", "Why clinicians should still be careful", "What comes next"]
    assert "| Model | HealthBench Hard | MMMU-Pro | CharXiv Reasoning |\n| --- | --- | --- | --- |\n" in article.body
    assert "| Muse Spark | 42.8 | 80.5% | 86.4% |" in article.body
    assert article.content_hash == compute_content_hash(article)
    assert re.fullmatch(r"[0-9a-f]{64}", article.content_hash)


def test_txt_with_header_lines() -> None:
    article = load_article(ARTICLES / "muse-spark-developer-notes.txt")
    assert article.title == "Muse Spark for developers: coding scores, API access and what to expect"
    assert article.id == "muse-spark-for-developers-coding-scores-api-access-and-what-to"
    assert article.outlet == "The Build Log"
    assert article.author == "Marcus Ellery"
    assert article.published == "2026-04-11"
    assert article.url == "https://buildlog.example/posts/muse-spark-developer-notes"
    assert article.body.startswith("Meta's Muse Spark is now live in the Meta AI app")
    assert headings_of(article.body) == ["Coding Is the Weak Spot", "Agentic Work", "Should You Wait for the API?"]
    table = "Model Terminal-Bench 2.0\nGPT-5.4 75.1\nGemini 3.1 Pro 68.5\nClaude Opus 4.6 65.4\nMuse Spark 59.0"
    assert f"The scores on Terminal-Bench 2.0, as reported at launch:\n\n{table}\n\nOn SWE-bench" in article.body


def test_txt_without_headers_uses_first_line_as_title() -> None:
    data = b"\n\nMuse Spark in brief\n\nBy Jane Doe\n\nMeta launched Muse Spark. It scores 52.\n"
    article = parse_article(data, "brief.txt")
    assert (article.title, article.author, article.outlet) == ("Muse Spark in brief", "Jane Doe", UNKNOWN_OUTLET)
    assert article.body == "Meta launched Muse Spark. It scores 52."
    assert article.id == "muse-spark-in-brief"
    assert article.source_path == "brief.txt"


def test_html_keeps_article_and_table_drops_boilerplate() -> None:
    article = load_article(ARTICLES / "frontier-dispatch-muse-spark-benchmarks.html")
    assert article.title == "Muse Spark benchmarks: where Meta's new model stands on coding and science"
    assert article.outlet == "Frontier Dispatch"
    assert article.author == "Priya Raman"
    assert article.published == "2026-04-09"
    # <link rel="canonical"> wins over og:url (which carries a tracking parameter)
    assert article.url == "https://frontierdispatch.example/news/2026/04/muse-spark-benchmarks"
    assert article.body.startswith("Meta Superintelligence Labs released Muse Spark this week")
    assert headings_of(article.body) == ["Coding", "Science and reasoning", "What developers should take from it"]
    assert "Claude Opus 4.6 reaches 74.2% on SWE-bench Verified" in article.body
    table = (
        "| Model | SWE-bench Verified | GPQA Diamond |\n|---|---|---|\n| Claude Opus 4.6 | 74.2% | 83.0% |\n"
        "| GPT-5.4 | 72.8% | 86.3% |\n| Gemini 3.1 Pro | 70.4% | 87.9% |\n| Muse Spark | 61.5% | 84.1% |"
    )
    assert table in article.body
    for boilerplate in ("cookies", "Subscribe", "Related stories", "All rights reserved", "Sign up", "dataLayer"):
        assert boilerplate not in article.body
    assert "**" not in article.body


def test_html_relative_canonical_is_resolved_and_og_url_is_the_fallback() -> None:
    page = (
        "<html><head><title>Muse Spark review</title>{links}</head><body><article><h1>Muse Spark review</h1>"
        "<p>Muse Spark scores 52 on the Artificial Analysis Intelligence Index, fourth among the models tested "
        "so far, and it leads every model on HealthBench Hard with 42.8.</p></article></body></html>"
    )
    relative = page.format(
        links='<link rel="canonical" href="/reviews/muse-spark">'
        '<meta property="og:url" content="https://reviews.example/reviews/muse-spark?ref=feed">'
    )
    assert parse_article(relative.encode(), "r.html").url == "https://reviews.example/reviews/muse-spark"
    og_only = page.format(links='<meta property="og:url" content="https://reviews.example/muse">')
    article = parse_article(og_only.encode(), "r.html")
    assert article.url == "https://reviews.example/muse"
    assert article.title == "Muse Spark review"
    assert article.body.startswith("Muse Spark scores 52")


def test_html_table_caption_becomes_a_line_above_the_table_and_the_header_stays_the_header() -> None:
    page = (
        "<html><head><title>Muse Spark for business</title></head><body><article><h1>Muse Spark for business</h1>"
        "<p>Meta's sales deck leans on agentic work, the area where reviewers have been most critical so far.</p>"
        "<table><caption>Agentic scores in Meta's <b>sales deck</b></caption>"
        "<thead><tr><th>Benchmark</th><th>Muse Spark</th><th>GPT-5.4</th></tr></thead>"
        "<tbody><tr><td>τ²-bench Telecom</td><td>91.2%</td><td>98.9%</td></tr></tbody></table>"
        "<p>Early customers include a logistics company that reads scanned bills of lading with it.</p>"
        "</article></body></html>"
    )
    body = parse_article(page.encode(), "deck.html").body
    expected = (
        "Agentic scores in Meta's sales deck\n\n"
        "| Benchmark | Muse Spark | GPT-5.4 |\n|---|---|---|\n| τ²-bench Telecom | 91.2% | 98.9% |\n\n"
        "Early customers include"
    )
    assert expected in body
    assert sum(line.startswith("|---") for line in body.split("\n")) == 1


def test_captioned_html_table_gives_benchmark_facts() -> None:
    article = load_article(HELDOUT / "enterprise-ai-wire-muse-spark-api-pricing.html")
    facts = extract_facts([article], split_into_chunks(article, approximate_token_counter))
    scores = {(f.benchmark, f.model): f.value_text for f in facts}
    assert scores[("τ²-bench Telecom", "Claude Opus 4.6")] == "99.3%"
    assert scores[("GDPval-AA", "GPT-5.4")] == "1,674"
    assert scores[("BrowseComp", "Muse Spark")] == "74.3%"


def test_markdown_without_front_matter_takes_title_from_heading() -> None:
    article = parse_article(b"# Muse Spark notes\n\nMuse Spark scores 42.8 on HealthBench Hard.\n", "notes.md")
    assert article.title == "Muse Spark notes"
    assert article.body == "Muse Spark scores 42.8 on HealthBench Hard."


def test_control_characters_and_newlines_are_normalised() -> None:
    data = (
        b"\xef\xbb\xbfTitle\r\n\r\nMuse Spark\x07 scores\x1b 52.\rIt is\xe2\x80\x8b fourth.   \r\n\r\n\r\n\r\nEnd here."
    )
    article = parse_article(data, "a.txt")
    assert article.title == "Title"
    assert article.body == "Muse Spark scores 52.\nIt is fourth.\n\nEnd here."


def test_windows_1252_text_is_accepted_when_it_decodes_cleanly() -> None:
    data = b"Muse Spark review\n\nMeta\x92s model has a \x93Contemplating\x94 mode \x96 and it is caf\xe9-ready."
    article = parse_article(data, "cp1252.txt")
    assert article.body == "Meta’s model has a “Contemplating” mode – and it is café-ready."


# ---------------------------------------------------------------------------------------------- the shipped corpus


def test_corpus_folder_loads_both_articles() -> None:
    result = load_corpus(CORPUS)
    assert isinstance(result, CorpusLoad)
    assert result.errors == ()
    assert [article.id for article in result.articles] == ["ai-rising-trends-muse-spark", "muse-spark-launch-overview"]
    rising, overview = result.articles
    assert rising.title == "Meta Muse Spark: What the $14 Billion Bet on Closed-Source AI Means for the Industry"
    assert (rising.outlet, rising.author, rising.url, rising.published) == ("AI Rising Trends", "Ty Sutherland", "", "")
    assert "Muse Spark scores 42.8 on HealthBench Hard, beating GPT-5.4 (40.1)" in rising.body
    assert f"benchmarked:\n\n{INTELLIGENCE_TABLE}\n\nFourth place" in rising.body
    assert "Muse Spark, originally codenamed “Avocado,” was built" in rising.body  # typographic quotes kept
    assert "Recent Posts" not in rising.body
    assert rising.body.endswith("to elevate one's life.")
    assert headings_of(rising.body)[:4] == [
        "Why Meta Muse Spark Changes Meta’s AI Playbook",
        "The Alexandr Wang Factor",
        "Benchmark Reality: Where Muse Spark Wins and Loses",
        "Where Muse Spark Leads",
    ]
    assert (overview.title, overview.outlet, overview.author, overview.url) == (
        "Muse Spark launch overview",
        "Unknown outlet",
        "",
        "",
    )
    assert "on the GDPval-AA work task benchmark, Muse Spark scored 1,427 points" in overview.body
    assert headings_of(overview.body) == [
        "Overview",
        "The Performance Scorecard and Multimodal Claims",
        "The Strategic Shift from Open Weights",
        "Engineering Breakthroughs and Future Trajectories",
    ]
    for article in result.articles:
        assert article.source_path == str(CORPUS / f"{article.id}.md")
        assert article.content_hash == compute_content_hash(article)


@pytest.mark.parametrize(
    ("seed", "corpus_file", "dropped"),
    [
        (SEED_1, "ai-rising-trends-muse-spark.md", ["Recent Posts"]),
        (SEED_2, "muse-spark-launch-overview.md", ["The Performance Scorecard and Multimodal Claims"]),
    ],
)
def test_corpus_files_keep_the_seed_text_verbatim(seed: Path, corpus_file: str, dropped: list[str]) -> None:
    seed_lines = [line for line in seed.read_text(encoding="utf-8").split("\n") if line.strip()]
    for line in dropped:  # the trailing site chrome, or the second copy of a repeated heading
        seed_lines.remove(line)
    body = load_article(CORPUS / corpus_file).body
    body_lines = [line.removeprefix("## ") for line in body.split("\n") if line.strip()]
    if corpus_file == "ai-rising-trends-muse-spark.md":
        body_lines.insert(0, "Meta Muse Spark: What the $14 Billion Bet on Closed-Source AI Means for the Industry")
    assert body_lines == [line.rstrip() for line in seed_lines]


def test_plain_text_loader_finds_the_seed_headings() -> None:
    from_txt = load_article(SEED_1)
    from_md = load_article(CORPUS / "ai-rising-trends-muse-spark.md")
    # the heuristic finds exactly the headings the hand-made corpus file marks (caption and lists stay text)
    assert from_txt.body == from_md.body + "\n\nRecent Posts"
    assert from_txt.id == "meta-muse-spark-what-the-14-billion-bet-on-closed-source-ai"
    assert from_txt.outlet == UNKNOWN_OUTLET
    second = load_article(SEED_2)
    assert second.title == "Overview"
    assert second.body.count("The Performance Scorecard and Multimodal Claims") == 1
    assert "select users.\n\nThe initial performance metrics" in second.body  # one paragraph per line
    assert "## The Strategic Shift from Open Weights\n\nThe most defining aspect" in second.body


# ---------------------------------------------------------------------------------------------- rejections


@pytest.mark.parametrize(
    ("data", "filename", "reason"),
    [
        (b"", "empty.md", "the file is empty"),
        (b"  \n\t\n", "blank.txt", "the file is empty"),
        (b"Title\n\n\x00\x01\x02\x03binary\x00data", "binary.txt", "the file is binary, not text"),
        (bytes(range(1, 32)) * 20, "controls.txt", "the file is binary, not text"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "paper.txt", "the file is a PDF document, not text"),
        (b"Muse Spark\n\nScores \xff\xfe\xfd\xfc here.", "garbage.txt", "the text is not valid UTF-8"),
        (b"Muse Spark\n\nbad \x81 byte", "undefined.md", "the text is not valid UTF-8"),
        (b"Muse Spark\n\nmojibake \xc3\xa2\xe2\x82\xac\xe2 end", "mojibake.txt", "the text is not valid UTF-8"),
        (b"# Muse Spark\n\n", "heading-only.md", "the article has no body text"),
        (md("title: Muse Spark", ""), "front-only.md", "the article has no body text"),
        (md("- just\n- a list"), "list.md", "the front matter is not a mapping"),
        (md("title: [unclosed"), "yaml.md", "the front matter is not valid YAML"),
        (b"---\ntitle: Muse Spark\n\nNo closing line.", "open.md", "the front matter is not closed"),
        (md("title: [a, b]"), "title-list.md", "the front matter `title` is not text"),
        (md("title: X\nurl: javascript:alert(1)"), "url.md", "the url 'javascript:alert(1)' is not a web address"),
        (md("outlet: Somewhere"), "untitled.md", "the article has no title"),
        (b"<html><body><p>hello</p>", "page.pdf", "unsupported file type ('.pdf')"),
        (b"Muse Spark\n\nText.", "README", "unsupported file type (no extension)"),
    ],
)
def test_broken_uploads_are_rejected_with_the_reason(data: bytes, filename: str, reason: str) -> None:
    with pytest.raises(ArticleError) as caught:
        parse_article(data, filename)
    assert caught.value.reason.startswith(reason)
    assert str(caught.value).startswith(f"{filename}: {reason}")
    assert caught.value.path == filename


@pytest.mark.parametrize(
    "bad_id", ["../etc/passwd", "a/b", "a\\\\b", "Muse-Spark", "has space", "-leading", "x" * 81, "a..b", "ünï"]
)
def test_unsafe_front_matter_ids_are_rejected(bad_id: str) -> None:
    with pytest.raises(ArticleError, match="is not a safe id") as caught:
        parse_article(md(f'id: "{bad_id}"\ntitle: Muse Spark'), "unsafe.md")
    assert "Use lowercase letters, digits and hyphens only" in str(caught.value)


@pytest.mark.parametrize("filename", ["../x.md", "sub/x.md", "sub\\x.md", "..", "", "."])
def test_upload_file_names_with_folders_are_rejected(filename: str) -> None:
    with pytest.raises(ArticleError, match="the file name must be a plain name"):
        parse_article(md("title: Muse Spark"), filename)


def test_error_message_names_the_file_and_says_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "empty.md"
    path.write_bytes(b"")
    with pytest.raises(ArticleError) as caught:
        load_article(path)
    error = caught.value
    assert str(error) == "empty.md: the file is empty. Add the article's text and try again"
    assert error.path == str(path)
    assert isinstance(error, ValueError)
    assert isinstance(error, MusebotError)


def test_oversized_files_are_rejected_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:  # sparse: the size is there without writing 5 MB
        handle.truncate(MAX_ARTICLE_BYTES + 1)
    with pytest.raises(ArticleError, match=r"huge.txt: the file is 5.0 MB, over the 5 MB limit"):
        load_article(path)
    with pytest.raises(ArticleError, match="over the 5 MB limit"):
        parse_article(b"a" * (MAX_ARTICLE_BYTES + 1), "huge.md")
    assert parse_article(b"Title\n\n" + b"word " * 1000, "ok.txt").body.startswith("word word")


def test_html_with_only_navigation_is_rejected() -> None:
    page = (
        b"<html><head><title>Menu</title></head><body><nav><ul><li><a href='/'>Home</a></li>"
        b"<li><a href='/news'>News</a></li><li><a href='/about'>About us</a></li></ul></nav>"
        b"<footer>&copy; 2026 Example Media</footer></body></html>"
    )
    with pytest.raises(ArticleError, match=r"nav.html: the page has no article text \(only navigation"):
        parse_article(page, "nav.html")


# ---------------------------------------------------------------------------------------------- corpus folder


def test_load_corpus_sorts_skips_and_reports(tmp_path: Path) -> None:
    (tmp_path / "b.md").write_text("---\nid: zeta\ntitle: Zeta\n---\nMuse Spark text.\n", encoding="utf-8")
    (tmp_path / "a.md").write_text("---\nid: alpha\ntitle: Alpha\n---\nMuse Spark text.\n", encoding="utf-8")
    (tmp_path / "c.md").write_text("---\nid: alpha\ntitle: Other\n---\nOther text.\n", encoding="utf-8")
    (tmp_path / "README.md").write_text("How to add articles.\n", encoding="utf-8")
    (tmp_path / ".draft.md").write_text("", encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "notes.docx").write_bytes(b"PK\x03\x04zip")
    sub = tmp_path / "2026"
    sub.mkdir()
    (sub / "mid.txt").write_text("Middle article\n\nMuse Spark text here.\n", encoding="utf-8")

    result = load_corpus(tmp_path)

    assert [article.id for article in result.articles] == ["alpha", "middle-article", "zeta"]
    assert [Path(error.path).name for error in result.errors] == ["c.md", "empty.txt", "notes.docx"]
    assert result.errors[0].reason == "the id 'alpha' is already used by a.md"
    assert str(result.errors[0]).endswith("Give one of them a different `id:` in its front matter")
    assert result.errors[2].reason == "unsupported file type ('.docx')"


def test_load_corpus_on_a_missing_folder_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ArticleError, match=r"the corpus folder does not exist\. Create it"):
        load_corpus(tmp_path / "nope")


# ---------------------------------------------------------------------------------------------- ids and hashes


@pytest.mark.parametrize(
    ("title", "url", "expected"),
    [
        (
            "Meta Muse Spark: What the $14 Billion Bet on Closed-Source AI Means for the Industry",
            "",
            "meta-muse-spark-what-the-14-billion-bet-on-closed-source-ai",
        ),
        ("Meta’s Muse Spark — Café Crème & Co.", "", "metas-muse-spark-cafe-creme-and-co"),
        ("GPT-5.4 vs. Muse Spark", "https://x.example/a", "gpt-5-4-vs-muse-spark"),
        ("", "https://news.example/ai/muse-spark-review.html", "muse-spark-review"),
        ("日本語のタイトル", "https://www.news.example/", "www-news-example"),
    ],
)
def test_derive_article_id(title: str, url: str, expected: str) -> None:
    assert derive_article_id(title, url) == expected


def test_derived_ids_are_always_safe_and_short() -> None:
    for title in ("!!!", "", "a" * 300, "word " * 50, "Ünïcödé títlé", "../../etc/passwd"):
        article_id = derive_article_id(title)
        assert is_safe_slug(article_id), article_id
        assert len(article_id) <= 64
    assert re.fullmatch(r"article-[0-9a-f]{12}", derive_article_id("!!!"))
    assert derive_article_id("!!!") == derive_article_id("!!!")
    assert derive_article_id("../../etc/passwd") == "etc-passwd"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        *[("muse-spark", True), ("a", True), ("0-day", True), ("x" * 80, True), ("x" * 81, False), ("", False)],
        *[("Muse", False), ("-a", False), ("a_b", False), ("a.b", False), ("a/b", False), ("..", False)],
    ],
)
def test_is_safe_slug(value: str, expected: bool) -> None:
    assert is_safe_slug(value) is expected


@pytest.mark.parametrize(
    "change",
    [
        {"title": "Muse Spark 2"}, {"body": "Muse Spark scores 53 on the Intelligence Index."}, {"outlet": "B"},
        {"url": "https://b.example/x"}, {"author": "Ana"}, {"published": "2026-04-09"},
    ],
)  # fmt: skip
def test_content_hash_covers_every_field_the_index_keeps(change: dict[str, str]) -> None:
    article = parse_article(md("title: Muse Spark\noutlet: A"), "a.md")
    assert compute_content_hash(dataclasses.replace(article, **change)) != article.content_hash
    moved = dataclasses.replace(article, source_path="elsewhere/a.md", content_hash="")  # where it lives is no change
    assert compute_content_hash(moved) == article.content_hash
    expected = hashlib.sha256(b'["Muse Spark", "A", "", "", "", "Muse Spark scores 52 on the Intelligence Index."]')
    assert article.content_hash == expected.hexdigest()


def test_supported_extensions() -> None:
    assert set(SUPPORTED_EXTENSIONS) == {".md", ".markdown", ".txt", ".html", ".htm"}


def test_article_error_survives_pickling() -> None:
    import pickle

    error = ArticleError("corpus/x.md", "the file is empty", "add the article's text and try again")
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.path, copy.reason, copy.hint, str(copy)) == (error.path, error.reason, error.hint, str(error))


def test_the_corpus_alias_file_is_not_an_article(tmp_path: Path) -> None:
    (tmp_path / "aliases.yaml").write_text("models:\n  Muse Spark: [spark]\n", encoding="utf-8")
    (tmp_path / "a.md").write_text("---\nid: a\ntitle: A\noutlet: O\n---\n\nMuse Spark is here.\n", encoding="utf-8")

    loaded = load_corpus(tmp_path)

    assert [a.id for a in loaded.articles] == ["a"]
    assert loaded.errors == ()
