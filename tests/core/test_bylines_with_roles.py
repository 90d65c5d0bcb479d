"""A byline that says where its author works stays in the article's text: the reader can ask where the studio
is or who the partner is. A plain-text header line may give the author with a role instead of "By"; a body
that opens with a dateline ("Riga, May 2, 2026.") dates the article. And "we" in a firm's letter is the firm."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pytest

from bot.core.corpus.load import parse_article
from bot.core.service import MuseService

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>We built games from sketches</title>
<meta name="author" content="Ana Ruiz"><meta name="date" content="2026-04-26"></head>
<body><header><nav><a href="/">Pixel Journal</a> / <a href="/features/">Features</a></nav></header>
<main><article><h1>We built games from sketches</h1>
<p class="byline">By Ana Ruiz, lead developer at Paper Kite Games, Montreal &middot; April 26, 2026</p>
<p>When the new model launched, one of its demos caught the attention of everyone at our studio: a user drew a
rough game and the model turned it into something playable. We make small web games for a living, so we spent a
week finding out whether that demo survives contact with real work.</p>
<p>We wrote 20 briefs, each a pencil sketch on paper plus two or three sentences of rules, and the model passed
14 of them on the first try.</p>
</article></main><footer><p>&copy; 2026 Pixel Journal</p></footer></body></html>
"""

PLAIN_BYLINE_PAGE = PAGE.replace(", lead developer at Paper Kite Games, Montreal", "")

LETTER = """Q1 letter to our partners

Tidewell Capital, Partner Relations | Rosa Achter, managing partner | April 30, 2026

This quarter's letter departs from our usual format. We have marked down our holding in Fernhill by 30 percent
this quarter, because the new assistant now gives away the coaching Fernhill sells. Quillby, our drafting
company, will test the model once it can sign a proper contract.
"""

NOTICE = """Open letter from the Baltic Privacy Board

Riga, May 2, 2026. Published by the Board's press office.

We ask for a full reply within 21 days of the date of this letter.
"""


def test_a_byline_that_says_where_its_author_works_stays_in_the_text() -> None:
    article = parse_article(PAGE.encode(), "games.html")

    assert article.author == "Ana Ruiz"
    assert "lead developer at Paper Kite Games, Montreal" in article.body.split("\n\n")[0]


def test_a_plain_byline_is_only_metadata() -> None:
    article = parse_article(PLAIN_BYLINE_PAGE.encode(), "games.html")

    assert article.author == "Ana Ruiz"
    assert "By Ana Ruiz" not in article.body


def test_a_header_line_with_a_role_instead_of_by() -> None:
    article = parse_article(LETTER.encode(), "letter.txt")

    assert (article.author, article.outlet) == ("Rosa Achter", "Tidewell Capital, Partner Relations")
    assert article.published.startswith("2026-04-30")
    assert "managing partner" in article.body.split("\n\n")[0]


def test_a_dateline_dates_the_article() -> None:
    article = parse_article(NOTICE.encode(), "notice.txt")

    assert article.published.startswith("2026-05-02")


@pytest.fixture(scope="module")
def service(inline_service: Callable[[str, Mapping[str, str]], MuseService]) -> MuseService:
    return inline_service("bylines-with-roles", {"games.html": PAGE, "letter.txt": LETTER})


@pytest.mark.slow
def test_where_the_authors_studio_is_comes_from_the_byline(service: MuseService) -> None:
    answer = service.ask("where is paper kite games based")

    assert not answer.abstained, answer.text
    assert "Montreal" in answer.text.splitlines()[0]


@pytest.mark.slow
def test_we_in_a_firms_letter_is_the_firm(service: MuseService) -> None:
    # The header line's outlet names the firm; "we" is it. (This tiny corpus is answered without the first-person
    # credit too: it pins the header reading, not that credit.)
    answer = service.ask("by how much did tidewell write down fernhill")

    assert not answer.abstained, answer.text
    assert "30 percent" in answer.text.splitlines()[0]
