"""Similar questions grouped by the model's embeddings, so the report counts "asked 4×" instead of listing 4."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

# Words nearly every question shares (the launch's subject). Left in, they pull every pair of questions
# above 0.6 cosine; taken out, what is asked about decides. See GroupingPolicy.
_COMMON_SUBJECT_RE = re.compile(r"\b(?:meta\s+)?(?:muse\s+spark|muse|spark|meta)(?:['’]s)?\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class GroupingPolicy:
    # Cosine similarity (all-MiniLM-L6-v2, the common subject words removed) at or above which two questions
    # are one group. Calibrated on tests/core/test_records.py's 33 paraphrase pairs and 402 pairs of different
    # questions: from 0.375 to 0.45 no different pair joins and 27/33 paraphrases do; 0.42 sits inside.
    same_question: float = 0.42


DEFAULT_GROUPING = GroupingPolicy()


@dataclass(frozen=True, slots=True)
class QuestionGroup:
    question: str  # the representative: the most recent wording
    members: tuple[int, ...]  # indices into the questions given


def strip_common_subject(question: str) -> str:
    stripped = " ".join(_COMMON_SUBJECT_RE.sub(" ", question).split())
    return stripped or question


def group_questions(
    questions: Sequence[str],
    embed: Callable[[Sequence[str]], np.ndarray] | None,
    policy: GroupingPolicy = DEFAULT_GROUPING,
) -> list[QuestionGroup]:
    """Groups of similar questions, largest first (ties: most recent first). Without `embed`, equal text only.

    Greedy, newest question first: each joins the group whose mean vector it is closest to, if close enough.
    """
    if not questions:
        return []
    order = list(range(len(questions) - 1, -1, -1))  # newest first: its wording represents the group
    keys = [" ".join(strip_common_subject(q).lower().split()).rstrip("?. ") for q in questions]
    groups: list[list[int]] = []
    if embed is None:
        by_key: dict[str, list[int]] = {}
        for i in order:
            by_key.setdefault(keys[i], []).append(i)
        groups = list(by_key.values())
    else:
        vectors = np.asarray(embed([strip_common_subject(q) for q in questions]), dtype=np.float32)
        sums: list[np.ndarray] = []
        for i in order:
            best, best_sim = -1, policy.same_question
            for g, total in enumerate(sums):
                centre = total / (np.linalg.norm(total) or 1.0)
                sim = float(centre @ vectors[i])
                if sim >= best_sim or any(keys[m] == keys[i] for m in groups[g]):
                    best, best_sim = g, max(sim, best_sim)
            if best < 0:
                groups.append([i])
                sums.append(vectors[i].copy())
            else:
                groups[best].append(i)
                sums[best] += vectors[i]
    result = [QuestionGroup(question=questions[members[0]], members=tuple(members)) for members in groups]
    result.sort(key=lambda group: (-len(group.members), -group.members[0]))
    return result
