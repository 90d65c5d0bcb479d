"""British and American spellings of one word meet: a question typed "data centers" is about an article's "data
centres" even where "Center" is also a name, and "organized" about "organised". Nothing else is joined by it."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pytest

from bot.core.service import MuseService
from bot.core.text import tokenize


@pytest.mark.parametrize(
    ("british", "american"),
    [
        ("data centres", "data centers"),
        ("centred", "centered"),
        ("metre", "meter"),
        ("fibre", "fiber"),
        ("colours", "colors"),
        ("behaviour", "behavior"),
        ("organised", "organized"),
        ("organisation", "organization"),
        ("analyse", "analyze"),
        ("catalogue", "catalog"),
        ("licence", "license"),
        ("defence", "defense"),
    ],
)
def test_a_british_spelling_gives_the_american_tokens(british: str, american: str) -> None:
    assert tokenize(british) == tokenize(american)


@pytest.mark.parametrize(
    ("one", "other"),
    [("hour", "hor"), ("four", "for"), ("fence", "fens"), ("basis", "bases"), ("sense", "scene")],
)
def test_words_that_only_look_alike_stay_apart(one: str, other: str) -> None:
    assert tokenize(one) != tokenize(other)


ARTICLES = {
    "power.md": """---
title: "What the racks draw"
date: 2026-04-20
---

Quillmark's data centres used 2,481,300 MWh of electricity in 2024, 12% more than the year before. The firm
says most of that growth came from its Harlow site.
""",
    "kits.md": """---
title: "A kit for schools"
date: 2026-04-21
---

The Brindle kit ships with a 30-day trial licence for every classroom, and teachers can renew it for free.
It was designed with the Ostrava Center for Teaching, which tried it in nine schools.
""",
}


@pytest.fixture(scope="module")
def service(inline_service: Callable[[str, Mapping[str, str]], MuseService]) -> MuseService:
    return inline_service("spellings", ARTICLES)


@pytest.mark.slow
def test_a_question_in_american_spelling_is_answered_from_british_text(service: MuseService) -> None:
    answer = service.ask("how much electricity did quillmark's data centers use in 2024")

    assert not answer.abstained, answer.text
    assert "2,481,300" in answer.text


@pytest.mark.slow
def test_a_license_is_a_licence(service: MuseService) -> None:
    answer = service.ask("how long is the brindle kit's trial license")

    assert not answer.abstained, answer.text
    assert "30-day" in answer.text
