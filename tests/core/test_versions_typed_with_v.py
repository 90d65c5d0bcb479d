"""A version typed with a "v" ("livecodebench v5") is the question's identity: the v6 row is a different thing.

Made-up benchmark and model names; the real model over a tiny inline corpus.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pytest

from bot.core.service import MuseService

ARTICLES = {
    "coding.md": """---
title: "The merge queue: is Quill any good at writing code?"
date: 2026-04-13
---

## Scores

| Benchmark | Quill | Orca 2.1 |
| --- | --- | --- |
| CodeArena v6 | 80.1 | 85.2 |
| PatchBench | 61.0 | 64.4 |

CodeArena v6 is the newest release of the contest set; the older v5 problems were retired.
""",
    "other.md": """---
title: "Quill in the app"
date: 2026-04-14
---

Quill answers in the chat app for free, and the maker says a paid tier will follow later this year.
""",
}


@pytest.fixture(scope="module")
def service(inline_service: Callable[[str, Mapping[str, str]], MuseService]) -> MuseService:
    return inline_service("versions-with-v", ARTICLES)


@pytest.mark.slow
def test_another_version_typed_with_v_is_not_answered_with_the_row_of_this_one(service: MuseService) -> None:
    answer = service.ask("orca 2.1 codearena v5 score")

    assert answer.abstained, answer.text
    assert "85.2" not in answer.text.split("\n\n")[0]


@pytest.mark.slow
def test_the_version_the_articles_give_is_answered(service: MuseService) -> None:
    answer = service.ask("orca 2.1 codearena v6 score")

    assert not answer.abstained, answer.text
    assert "85.2" in answer.text
