"""Two articles that state one quantity in different words still show both values; another quantity does not.

Another article's sentence close to the answer's in meaning (the model's cosine) that grounds the whole question
states the same quantity however little of the question's wording it shares ("invested … in the campus" for
"spent … on the Juniper campus"), so the answer shows both values. A close sentence that differs only in a
value of another kind (money, for a question after a share) is another quantity. A spread is asked in points.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pytest

from bot.core.answer.shape import read_question_shape
from bot.core.service import MuseService


def test_a_spread_over_a_rate_is_asked_in_points_not_money() -> None:
    assert read_question_shape("What spread over SOFR is the Juniper loan priced at?").kind == "number"
    assert read_question_shape("What is the Juniper loan priced at?").kind == "money"


ARTICLES = {
    "chips.md": """---
title: "Four chips in two years"
date: 2026-04-14
---

Kestrel says it has spent roughly $1.8 billion on the Juniper campus since it broke ground there in 2017, and the
site is meant to reach one gigawatt of capacity.

Kestrel put $14.3 billion into Lumen for a 49% stake and hired its founder as chief scientist.
""",
    "loan.txt": """Kestrel seeks a loan to finish Juniper

By Walter Brisco, Heartland Report
April 10, 2026

Since breaking ground in 2017 the company says it has invested more than $1.5 billion in the campus, which should reach
a gigawatt. The county expects the site to employ about 300 people.

Over the five trading sessions that followed the Lumen deal, Kestrel gained roughly $143 billion in market value.
""",
    "glasses.md": """---
title: "Two weeks with the Halo glasses"
date: 2026-04-22
---

The Halo glasses weigh 69 grams and the display covers about 20 degrees of the wearer's view.

## Battery

The battery lasts about six hours of mixed use, and the case holds four more charges.

## Price

The glasses sell for $799 with the wristband included.
""",
    "app.md": """---
title: "The Halo app, reviewed"
date: 2026-04-23
---

## Setup

Pairing the glasses with a phone took about two minutes on both of our test handsets.

## Updates

The app installs updates overnight while the glasses charge in their case.

## Privacy

Photos stay on the phone unless the wearer shares them, and the app asks before it uploads anything.
""",
}


@pytest.fixture(scope="module")
def service(inline_service: Callable[[str, Mapping[str, str]], MuseService]) -> MuseService:
    return inline_service("conflicts-in-other-words", ARTICLES)


@pytest.mark.slow
def test_an_amount_said_in_other_words_by_another_article_is_shown_beside_the_answer(service: MuseService) -> None:
    answer = service.ask("how much has kestrel spent on its juniper campus since 2017")

    assert not answer.abstained, answer.text
    assert "$1.8 billion" in answer.text, answer.text
    assert "$1.5 billion" in answer.text, answer.text
    assert "differ" in answer.text, answer.text


@pytest.mark.slow
def test_a_close_sentence_that_differs_only_in_another_kind_of_value_is_no_conflict(service: MuseService) -> None:
    answer = service.ask("how big a stake in lumen did kestrel end up owning")

    assert "49%" in answer.text.split("\n")[0], answer.text
    assert "differ" not in answer.text, answer.text
