"""Answering a question from retrieved passages: read its focus, ground it, pick the sentences, compose.

focus.py      the question read into names, numbers, qualifiers and wording (with the lexicon)
correct.py    typing errors and chat spellings read as the corpus writes them
grounding.py  whether a sentence grounds every identity term of the focus
shape.py      what kind of value a question asks for, and whether a sentence states it
select.py     every answer unit scored; the few that answer; whether the best one really does
compose.py    the answer with [n] citations, trimmed quotes, facts, conflicts, or an abstention
policy.py     every threshold, with how it was calibrated
"""

from bot.core.answer.compose import build_answer
from bot.core.answer.correct import correct_question, words_to_embed
from bot.core.answer.focus import Focus, FocusTerm, find_clippings, read_focus, written_after
from bot.core.answer.grounding import ground, is_comparison
from bot.core.answer.policy import DISTINCTIVE_SHARE, AnswerPolicy, GroundingPolicy
from bot.core.answer.shape import QuestionShape, read_question_shape

__all__ = [
    "DISTINCTIVE_SHARE",
    "AnswerPolicy",
    "Focus",
    "FocusTerm",
    "GroundingPolicy",
    "QuestionShape",
    "build_answer",
    "correct_question",
    "find_clippings",
    "ground",
    "is_comparison",
    "read_focus",
    "read_question_shape",
    "words_to_embed",
    "written_after",
]
