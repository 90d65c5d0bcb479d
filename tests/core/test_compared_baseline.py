"""A name of the family with another number that a sentence only measures against ("five times the compute of
the Orca 300") does not stop the name the paragraph is about ("Orca 400", said before) from carrying into it."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pytest

from bot.core.answer.grounding import _family_only_compared
from bot.core.service import MuseService


def test_a_family_name_said_only_as_a_baseline_is_only_compared() -> None:
    assert _family_only_compared("orca 400", "It has five times the compute of the Orca 300 and 50% more bandwidth.")
    assert _family_only_compared("orca 400", "It runs faster than the Orca-300 on every test.")
    assert not _family_only_compared("orca 400", "The Orca 300 has 50% more bandwidth than before.")
    assert not _family_only_compared("orca 400", "It has five times the compute, and the Orca 300 ships first.")


ARTICLES = {
    "chips.md": """---
title: "Four chips in two years"
date: 2026-04-14
---

## The parts

**Orca 300** is the only one of the four already in volume production, and it was built for ranking work.

**Orca 400** is the first generation meant to carry generative models as well. Its main novelty is a scale-up
domain that lets 72 devices behave as one unit. Kestrel claims more than five times the compute of the Orca 300
and 50% more bandwidth from its stacked memory.
""",
    "glasses.md": """---
title: "Two weeks with the Halo glasses"
date: 2026-04-22
---

The Halo glasses weigh 69 grams. The battery lasts about six hours of mixed use.
""",
}


@pytest.fixture(scope="module")
def service(inline_service: Callable[[str, Mapping[str, str]], MuseService]) -> MuseService:
    return inline_service("compared-baseline", ARTICLES)


@pytest.mark.slow
def test_the_paragraphs_part_carries_past_a_baseline_of_its_family(service: MuseService) -> None:
    answer = service.ask("By what percentage does the Orca 400 raise memory bandwidth?")

    assert not answer.abstained, answer.text
    assert "50%" in answer.text.split("\n\n")[0]
