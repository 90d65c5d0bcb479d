"""When an article was written, read from the headers people write, and a year said relative to it.

Markdown front matter often says `date:` and `source: https://…` (Jekyll, Hugo); plain text puts a byline with
its outlet and a bare date line under the title, or one line of parts split by "|". A sentence's "this year"
is the year of its article's date: a question about 2026 is met by it, and a figure said so in one article
differs from another article's figure for 2026.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pytest

from bot.core.answer.select import relative_years
from bot.core.corpus import parse_article
from bot.core.service import MuseService


def test_front_matter_date_and_source_url_are_read_as_published_and_url() -> None:
    article = parse_article(
        b"---\ntitle: Chips\ndate: 2026-04-14\nsource: https://chips.example/a\n---\n\nThe body says little.\n",
        "chips.md",
    )

    assert (article.published, article.url) == ("2026-04-14", "https://chips.example/a")


def test_front_matter_published_wins_over_date_and_a_source_that_is_no_url_is_not_one() -> None:
    article = parse_article(
        b"---\ntitle: Chips\npublished: 2026-05-01\ndate: 2026-04-14\nsource: the wire\n---\n\nText here.\n",
        "chips.md",
    )

    assert (article.published, article.url) == ("2026-05-01", "")


def test_a_plain_text_byline_with_its_outlet_and_a_date_line_are_header_fields() -> None:
    text = "Meta Seeks a Loan\n\nBy Walter Brisco, Heartland Report\nApril 10, 2026\n\nLenders read the terms.\n"

    article = parse_article(text.encode(), "loan.txt")

    assert (article.author, article.outlet, article.published) == ("Walter Brisco", "Heartland Report", "2026-04-10")
    assert article.body.strip() == "Lenders read the terms."


def test_a_header_line_of_parts_with_a_date_is_read_and_a_sentence_with_bars_is_body() -> None:
    dated = parse_article(b"Llama One Year On\n\nOpen Weights Review | April 6, 2026\n\nA year ago.\n", "a.txt")
    undated = parse_article(b"Scores\n\nGPT | 52 | high\n\nA table of sorts.\n", "b.txt")

    assert (dated.outlet, dated.published, dated.body.strip()) == ("Open Weights Review", "2026-04-06", "A year ago.")
    assert undated.published == ""
    assert "GPT | 52 | high" in undated.body


def test_this_last_and_next_year_are_read_against_the_articles_date() -> None:
    sentence = "Sales fell last year, should recover this year and double by the end of next year."

    assert relative_years(sentence, "2026-04-14") == {"2025", "2026", "2027"}
    assert relative_years(sentence, "April 16, 2026") == {"2025", "2026", "2027"}
    assert relative_years(sentence, "") == frozenset()
    assert relative_years("The yearly report came out.", "2026-04-14") == frozenset()


ARTICLES = {
    "forecast.md": """---
title: "Custom chips take over the serving fleet"
date: 2026-04-14
---

Priya Shah of Kestrel Research is blunt about it. "By the end of this year I think 38% of Quill inference will run
on Orca chips rather than on rented parts," she told us.
""",
    "column.txt": """Who pays for Quill?

By Ana Ruiz, Margin Desk
April 25, 2026

Marcus Hale of Halden Capital estimates that about 25% of Quill inference will run on Orca chips by the end of 2026.
He also expects the serving bill to keep growing with usage, whatever share of it the chips take.
""",
}


@pytest.fixture(scope="module")
def service(inline_service: Callable[[str, Mapping[str, str]], MuseService]) -> MuseService:
    return inline_service("relative-years", ARTICLES)


@pytest.mark.slow
def test_a_share_said_for_this_year_differs_from_another_articles_share_for_2026(service: MuseService) -> None:
    answer = service.ask("what share of quill inference will run on orca chips by the end of 2026")

    assert not answer.abstained, answer.text
    assert "25%" in answer.text, answer.text
    assert "38%" in answer.text, answer.text
    assert {c.article_id for c in answer.citations} == {
        "custom-chips-take-over-the-serving-fleet",
        "who-pays-for-quill",
    }


def test_a_static_site_field_that_is_not_text_is_ignored_not_an_error() -> None:
    article = parse_article(
        b"---\ntitle: Chips\npublisher:\n  name: The Wire\ndate: 2026-04-14\n---\n\nThe body says little.\n",
        "chips.md",
    )

    assert (article.outlet, article.published) == ("Unknown outlet", "2026-04-14")
