"""Two settings of one model set side by side ("instant mode vs thinking"): each side's row is shown, the word
before "mode" naming its side."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pytest

from bot.core.service import MuseService

ARTICLES = {
    "scores.md": """---
title: "Quill sees better than it codes"
date: 2026-04-14
---

Kestrel's Quill model has two everyday settings. Thinking mode reasons before it answers; Instant mode does not.

| Model | SimpleVQA | MMMU-Pro |
| --- | --- | --- |
| Quill (Thinking) | 71.3 | 80.4 |
| Quill (Instant mode) | 64.7 | 74.9 |
| Orca 2.1 | 69.8 | 82.4 |
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
    return inline_service("compared-settings", ARTICLES)


@pytest.mark.slow
def test_both_settings_of_one_model_are_shown_when_set_side_by_side(service: MuseService) -> None:
    answer = service.ask("quill mmmu-pro instant mode vs thinking")

    assert not answer.abstained, answer.text
    assert "74.9" in answer.text, answer.text
    assert "80.4" in answer.text, answer.text
