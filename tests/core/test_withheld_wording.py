"""A sentence that says the asked thing was not given, in the forms articles write it: "neither … nor … would
say which …", "has announced no …". Another sentence that names what was done is still an answer."""

from __future__ import annotations

import pytest

from bot.core.answer.compose import says_withheld
from bot.core.answer.shape import read_question_shape


@pytest.mark.parametrize(
    ("question", "sentence"),
    [
        (
            "which banks are leading the juniper financing",
            "It does not give the loan's term, and neither Kestrel nor its builder would say which banks lead it.",
        ),
        ("what are the rate limits on the quill api", "It has announced no public pricing and no rate limits."),
        ("how much does the quill api cost per token", "Kestrel has announced no public pricing for the API."),
    ],
)
def test_a_sentence_that_says_it_was_not_given_is_read_as_withheld(question: str, sentence: str) -> None:
    assert says_withheld(question, read_question_shape(question), sentence)


@pytest.mark.parametrize(
    ("question", "sentence"),
    [
        ("which banks are leading the juniper financing", "Neither Kestrel nor its builder is a bank; Orion leads it."),
        ("what are the rate limits on the quill api", "It has announced limits of 60 requests a minute."),
        ("how much does the quill api cost per token", "Kestrel has announced a price of $2 per million tokens."),
    ],
)
def test_a_sentence_that_gives_it_is_not_withheld(question: str, sentence: str) -> None:
    assert not says_withheld(question, read_question_shape(question), sentence)
