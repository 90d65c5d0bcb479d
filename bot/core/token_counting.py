"""Counting word pieces: the model's own tokenizer (production) and a generous stand-in for tests."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tokenizers import Tokenizer

_APPROX_PIECE_RE = re.compile(r"[^\W\d_]+|\d+|[^\w\s]", re.UNICODE)
_CAMEL_JOIN_RE = re.compile(r"[a-z][A-Z]|[A-Z]{2}[a-z]")
_WIDE_CHAR_RE = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0002fa1f]")


class ModelTokenCounter:
    """Word pieces as the model sees them (special tokens included, nothing truncated or padded)."""

    def __init__(self, tokenizer: Tokenizer) -> None:
        self._tokenizer = tokenizer
        self._specials = len(tokenizer.encode("", add_special_tokens=True).ids)

    def __call__(self, text: str) -> int:
        return len(self._tokenizer.encode(text, add_special_tokens=True).ids)

    def token_offsets(self, text: str) -> list[tuple[int, int]]:
        return [tuple(span) for span in self._tokenizer.encode(text, add_special_tokens=False).offsets]  # type: ignore[misc]


def load_token_counter(model_path: Path) -> ModelTokenCounter:
    """Count word pieces as the model sees them, from ``<model_path>/tokenizer.json``.

    Reads it with the ``tokenizers`` library: fast, and no torch import.
    """
    from tokenizers import Tokenizer

    tokenizer_file = Path(model_path) / "tokenizer.json"
    if not tokenizer_file.is_file():
        raise FileNotFoundError(
            f"{tokenizer_file} not found; point the model path at a sentence-transformers model folder"
        )
    tokenizer = Tokenizer.from_file(str(tokenizer_file))
    tokenizer.no_truncation()  # the shipped tokenizer.json truncates and pads to 128
    tokenizer.no_padding()
    return ModelTokenCounter(tokenizer)


def approximate_token_counter(text: str) -> int:
    """A cheap, deliberately generous stand-in for the model's tokenizer (for tests).

    Each punctuation mark, digit run and CJK character is a piece; a word is one piece per 7 letters
    plus one per inner capital ("OpenAI", "ChatGPT" are split by the model); the total is times 1.3,
    plus the 2 special tokens. The tests check that it never counts fewer pieces than the real
    tokenizer on the shipped articles (titles, headings, sentences, paragraphs and chunks).
    """
    pieces = len(_WIDE_CHAR_RE.findall(text))
    for piece in _APPROX_PIECE_RE.findall(text):
        if piece[0].isalpha():
            pieces += 1 + (len(piece) - 1) // 7 + len(_CAMEL_JOIN_RE.findall(piece))
        else:
            pieces += 1
    return math.ceil(pieces * 1.3) + 2
