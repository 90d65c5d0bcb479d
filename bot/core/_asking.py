"""The ask pipeline: a question checked, read (corrected, focused), searched and answered from one build."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from bot.core.errors import MusebotError
from bot.core.models import Answer, Passage

if TYPE_CHECKING:  # types only: the modules themselves are imported where they are used, for a fast cold start
    from bot.core._serving import _Serving
    from bot.core.embedding import Embedder

# The one question length limit: the service refuses longer questions and /ask declares it to Discord.
MAX_QUESTION_CHARS = 500


def check_question(question: str) -> str:
    """The question stripped, with any byte that is not UTF-8 read as U+FFFD; or a MusebotError saying what is wrong."""
    from bot.core.text import replace_undecodable_characters

    question = replace_undecodable_characters(question).strip()
    if not question:
        raise MusebotError("Ask a question, e.g.: How did Muse Spark do on HealthBench Hard?")
    if not question.replace("\ufffd", "").strip():
        raise MusebotError("That question is not readable text (its bytes are not UTF-8); type it again as UTF-8.")
    if len(question) > MAX_QUESTION_CHARS:
        raise MusebotError(f"That question is too long; keep it to {MAX_QUESTION_CHARS:,} characters at most.")
    return question


def answer_question(
    question: str,
    serving: _Serving,
    embedder: Embedder,
    *,
    top_k: int,
    abstain_threshold: float | None,
) -> Answer:
    """The answer to a checked `question` from the `serving` build, its words embedded by `embedder`."""
    from bot.core.answer import (
        DISTINCTIVE_SHARE,
        AnswerPolicy,
        build_answer,
        correct_question,
        find_clippings,
        read_focus,
        words_to_embed,
        written_after,
    )
    from bot.core.answer.compose import shows_difference
    from bot.core.search import search_lexical, search_passages
    from bot.core.text import tokenize

    facts_table = serving.facts
    lexicon = getattr(serving.index, "lexicon", None)
    asked = question
    # Misspelt names are read as the corpus spells them; the answer keeps the question as typed.
    count_tokens = embedder.count_tokens

    def is_common_word(word: str) -> bool:
        return serving.is_common_word(word, count_tokens)

    question = correct_question(question, lexicon, is_common_word, facts_table.catalog)
    query = facts_table.catalog.rewrite_query(question)
    unknown_words = words_to_embed(question, lexicon)
    vector, word_vectors = serving.embed_question(query, unknown_words, embedder.embed)
    lexical = search_lexical(serving.index, query)
    passages = search_passages(serving.index, vector, query, top_k=top_k, lexical=lexical)
    passages = (*passages, *section_neighbours(serving.index, passages))
    passages = (*passages, *byline_passages(serving, passages, tokenize(question), vector))
    passage_texts = [p.chunk.text for p in passages]

    def closest(word: str, options: Sequence[str]) -> int:
        import numpy as np

        own = word_vectors.get(word)
        rows = [lexicon.vector_of(tokenize(o)[0]) if lexicon is not None and tokenize(o) else None for o in options]
        sims = [float(np.dot(own, r)) if own is not None and r is not None else -1.0 for r in rows]
        return int(np.argmax(sims))

    benchmark, models = facts_table.detect_lookup(question)
    facts, conflicts = facts_table.facts_for(benchmark, models) if benchmark else ((), ())
    benchmarks_named, models_named = facts_table.catalog.find_mentions(question)
    focus = read_focus(
        question,
        idf=serving.term_stats.weight,
        lexicon=lexicon,
        catalog=facts_table.catalog,
        word_vectors=word_vectors,
        is_common_word=is_common_word,
        distinctive_idf=serving.term_stats.idf_at_share(DISTINCTIVE_SHARE),
        clippings=lambda word, before, common: find_clippings(
            word, passage_texts, before=before, common=common, closeness=closest
        ),
        written_after=lambda before, word: written_after(before, word, passage_texts),
    )
    passages = (*passages, *covering_passages(serving, passages, focus, lexical, vector))
    passages = (*passages, *counting_passages(serving, passages, focus, question, lexical, vector))
    entity_terms = [t for name in (*benchmarks_named, *models_named) for t in tokenize(name)]
    index = serving.index
    policy = AnswerPolicy() if abstain_threshold is None else AnswerPolicy(abstain_threshold=abstain_threshold)
    scored_memo: dict = {}  # the passages' scored units, kept when the answer is read again with rivals after them

    def answer_from(
        passages: Sequence[Passage],
        rivals_from: int | None = None,
        restating: frozenset[str] = frozenset(),
        akin: frozenset[str] = frozenset(),
    ) -> Answer:
        units = []
        for passage in passages:
            row = index.chunk_row(passage.chunk.id)  # passages come from this index: never None
            rows = index.units_of(row) if row is not None else ()
            similarities = index.unit_vectors_of(rows) @ vector if rows else ()
            units.append([(index.units[r][1], float(sim)) for r, sim in zip(rows, similarities, strict=True)])
        return build_answer(
            asked,
            passages,
            serving.term_stats,
            serving.sources,
            policy=policy,
            facts=facts,
            conflicts=conflicts,
            chunk_text=serving.chunk_text.__getitem__,
            units=units,
            entity_terms=entity_terms,
            build_id=serving.index.build_id,
            focus=focus,
            article_tokens=serving.article_tokens,
            article_words=serving.article_words,
            article_subject=serving.article_subject,
            article_voice=serving.article_voice,
            read_as=question,
            chunk_facts=facts_table.facts_in_chunk,
            rivals_from=rivals_from,
            section_before=index.section_before,
            restating=restating,
            akin=akin,
            memo=scored_memo,
        )

    answer = answer_from(passages)
    rivals, restating, akin = rival_passages(serving, passages, answer, question, vector)
    if not rivals and not restating and not akin:
        return answer
    again = answer_from((*passages, *rivals), rivals_from=len(passages), restating=restating, akin=akin)
    # Only a disagreement is news: the same answer without the rivals' citations otherwise.
    return again if shows_difference(again) else answer


RIVAL_SIMILARITY = 0.6  # cosine of another article's sentence with the answer's: it may state the same thing
RIVAL_PASSAGES = 2
RESTATEMENT_SIMILARITY = 0.8  # cosine of another article's sentence with the answer's: it states the same thing
RIVAL_QUESTION_SIMILARITY = 0.5  # cosine of another article's sentence with the question: it may answer it too


def rival_passages(
    serving: _Serving, passages: Sequence[Passage], answer: Answer, question: str, vector: object = None
) -> tuple[list[Passage], frozenset[str], frozenset[str]]:
    """Passages of other articles, not retrieved, with a sentence close to the one that answers a question
    after a value: another article may state that value differently ("released on April 9"), in words the
    question does not use. The answer is built again with them, and shows both values if they differ.

    Also the sentences of other articles, retrieved or not, that restate the answer's sentence (as close to it
    as `RESTATEMENT_SIMILARITY`): "Sensor Tower put US iPhone downloads on launch day at about 46,000" restates
    "Sensor Tower estimated about 52,000 US iPhone downloads of the app on April 8", whose date it says in
    other words. And the sentences of other articles as close to the answer's as `RIVAL_SIMILARITY`, retrieved
    or not ("akin"): one that grounds the whole question states the same quantity in its own words ("invested
    more than $1.5 billion in the campus" beside "spent roughly $1.8 billion on the New Albany campus")."""
    from bot.core.answer.compose import shows_difference
    from bot.core.answer.shape import holds_kind, read_question_shape
    from bot.core.models import Passage

    shape = read_question_shape(question)
    if answer.abstained or not answer.citations or not (shape.wants_number or shape.wants_date):
        return [], frozenset(), frozenset()
    if shows_difference(answer):
        return [], frozenset(), frozenset()
    index = serving.index
    cited = answer.citations[0]
    row = index.chunk_row(cited.chunk_id)
    first_line = answer.text.split("\n", 1)[0]
    rows = [r for r in (index.units_of(row) if row is not None else ()) if index.units[r][1] in first_line]
    if not rows:
        return [], frozenset(), frozenset()
    unit_vector = index.unit_vectors_of(rows[:1])[0]
    kept = {p.chunk.id for p in passages}
    found: list[Passage] = []
    restating: set[str] = set()
    akin: set[str] = set()
    searches = [(unit_vector, RIVAL_SIMILARITY)]
    if vector is not None and shape.kind == "date":
        # Another article's date for the question itself: "released on April 9" is far from "introduced … on
        # Wednesday, April 8, a reasoning model that …" but close to "what date did it come out".
        searches.append((vector, RIVAL_QUESTION_SIMILARITY))
    for query, floor in searches:
        taken = 0
        for unit_row, similarity in index.search_units(query, 20):
            if similarity < floor or taken >= RIVAL_PASSAGES:
                break
            chunk_row, text = index.units[unit_row]
            chunk = index.chunks[chunk_row]
            if chunk.article_id == cited.article_id or not holds_kind(text, shape.kind):
                continue
            if query is unit_vector:
                akin.add(text)
                if similarity >= RESTATEMENT_SIMILARITY:
                    restating.add(text)
            if chunk.id in kept:
                continue
            kept.add(chunk.id)
            taken += 1
            found.append(Passage(chunk=chunk, score=0.0, dense_score=0.0, bm25_score=0.0))
    return found, frozenset(restating), frozenset(akin)


BYLINE_PASSAGES = 2  # of an article the question names by its outlet or author, its passages closest to it


def byline_passages(
    serving: _Serving, passages: Sequence[Passage], tokens: Sequence[str], vector: object
) -> list[Passage]:
    """The passages closest to the question of each article whose outlet or author it names ("what did
    PocketLab score it"), when retrieval kept none of them: the words of a byline are in no passage."""
    import numpy as np

    from bot.core.models import Passage

    named = dict.fromkeys(a for t in tokens for a in serving.bylines.get(t, ()))
    kept = {p.chunk.article_id for p in passages}
    index = serving.index
    found: list[Passage] = []
    for article_id in named:
        if article_id in kept:
            continue
        best: list[tuple[float, int]] = []
        for row in index.article_rows(article_id):
            units = index.units_of(row)
            if units:
                best.append((float(np.max(index.unit_vectors_of(units) @ vector)), row))
        for similarity, row in sorted(best, reverse=True)[:BYLINE_PASSAGES]:
            found.append(Passage(chunk=index.chunks[row], score=0.0, dense_score=similarity, bm25_score=0.0))
    return found


COVERING_DEPTH = 10  # BM25's best passages read for one that holds more of the question than any kept one


def covering_passages(
    serving: _Serving, passages: Sequence[Passage], focus: object, lexical: Sequence[tuple[int, float]], vector: object
) -> list[Passage]:
    """BM25's best passage that holds every identity term of the question's focus and more of its terms
    than any passage retrieval kept: the words of "how many adversarial prompts …" all sit in a passage that
    says "the model", while the passages nearest in meaning say "Muse Spark" and "launch" and nothing else.
    ``lexical`` is BM25's ranking of the query, best first (`search.search_lexical`); its head is read."""
    from bot.core.answer.grounding import holds

    terms = [t for t in getattr(focus, "terms", ()) if t.weight > 0]
    total = sum(t.weight for t in terms)
    if not terms or not total:
        return []
    index = serving.index

    def coverage(chunk: object) -> tuple[bool, float]:
        source = serving.sources.get(chunk.article_id)  # type: ignore[attr-defined]
        frame = (source.title, source.byline) if source is not None else ()
        tokens = _framed_tokens(chunk.embed_text, *frame)  # type: ignore[attr-defined]
        credits = [(holds(t, tokens), t) for t in terms]
        every = all(c >= 1.0 for c, t in credits if t.is_identity)
        return every, sum(c * t.weight for c, t in credits) / total

    kept = {p.chunk.id for p in passages}
    best = max((coverage(p.chunk)[1] for p in passages), default=0.0)
    for row, score in lexical[:COVERING_DEPTH]:
        chunk = index.chunks[row]
        if chunk.id in kept:
            continue
        every, covered = coverage(chunk)
        if every and covered > best:
            return [_read_as_passage(index, row, score, vector)]
    return []


@functools.lru_cache(maxsize=1 << 12)  # the same passages are read for question after question
def _framed_tokens(embed_text: str, *frame: str) -> frozenset[str]:
    """The tokens of a passage with its article's title and byline (``frame``), as one text."""
    from bot.core.text import token_set

    return token_set(f"{embed_text} {' '.join(frame)}" if frame else f"{embed_text} ")


def _read_as_passage(index: Any, row: int, bm25_score: float, vector: Any) -> Passage:
    """A chunk BM25 found outside retrieval, as a passage: its dense score is its best answer unit's cosine."""
    import numpy as np

    units = index.units_of(row)
    similarity = float(np.max(index.unit_vectors_of(units) @ vector)) if units else 0.0
    return Passage(chunk=index.chunks[row], score=0.0, dense_score=similarity, bm25_score=float(bm25_score))


COUNTING_PASSAGES = 2  # passages of different articles that count what "how many X" asks, read besides


def counting_passages(
    serving: _Serving,
    passages: Sequence[Passage],
    focus: object,
    question: str,
    lexical: Sequence[tuple[int, float]],
    vector: object,
) -> list[Passage]:
    """For "how many partners …": BM25's best passages (the head of ``lexical``, as `covering_passages` reads
    it), of articles no kept passage counts them in, with a sentence that says a number of what is counted
    ("about 40 partners were admitted") and, with the article's title, every identity term of the focus and
    half its other words. Retrieval keeps passages that mention the partners; the count may sit in another
    one, and a second article may count them otherwise."""
    from bot.core.answer.grounding import holds
    from bot.core.answer.shape import counted_forms, numbers_counted, read_counted_thing
    from bot.core.text import normalize_text, split_sentences, token_set

    terms = tuple(getattr(focus, "terms", ()))
    counted = counted_forms(read_counted_thing(normalize_text(question).lower()), terms)
    if not counted:
        return []
    identity = [t for t in terms if t.is_identity]
    others = [t for t in terms if not t.is_identity and t.weight > 0 and not set(t.alternatives[0]) <= counted]
    index = serving.index
    counting = {p.chunk.article_id for p in passages if numbers_counted(p.chunk.text, counted)}
    kept = {p.chunk.id for p in passages}

    def says_it(sentence: str, frame: frozenset[str]) -> bool:
        if not numbers_counted(sentence, counted):
            return False
        tokens = token_set(sentence) | frame
        if not all(holds(t, tokens) >= 1.0 for t in identity):
            return False
        return sum(holds(t, tokens) > 0 for t in others) * 2 >= len(others)

    found: list[Passage] = []
    for row, score in lexical[:COVERING_DEPTH]:
        chunk = index.chunks[row]
        if chunk.id in kept or chunk.article_id in counting or not numbers_counted(chunk.text, counted):
            continue
        source = serving.sources.get(chunk.article_id)
        frame = token_set(f"{source.title} {source.byline} {chunk.heading}" if source is not None else chunk.heading)
        if not any(says_it(sentence, frame) for sentence in split_sentences(chunk.text)):
            continue
        found.append(_read_as_passage(index, row, score, vector))
        counting.add(chunk.article_id)
        if len(found) >= COUNTING_PASSAGES:
            break
    return found


# A retrieved passage's neighbours in its section are read too, at this share of its dense score: a
# section cut into two chunks often has the question's words in one and the answer in the other.
NEIGHBOUR_DENSE_SHARE = 0.5
NEIGHBOURS_OF_TOP = 2  # only the best passages: further down, a neighbour adds more noise than answers


def section_neighbours(index: object, passages: Sequence[Passage], *, of: int = NEIGHBOURS_OF_TOP) -> list[Passage]:
    """The chunks just before and after each of the best ``of`` passages, under the same heading, that
    retrieval did not keep."""
    from bot.core.models import Passage

    seen = {p.chunk.id for p in passages}
    found: list[Passage] = []
    chunk_row = getattr(index, "chunk_row", None)
    chunks = getattr(index, "chunks", ())
    if chunk_row is None:
        return found
    for passage in passages[:of]:
        chunk = passage.chunk
        if not chunk.heading:
            continue
        for ordinal in (chunk.ordinal - 1, chunk.ordinal + 1):
            row = chunk_row(f"{chunk.article_id}#{ordinal}")
            if row is None:
                continue
            neighbour = chunks[row]
            if neighbour.id in seen or neighbour.heading != chunk.heading:
                continue
            seen.add(neighbour.id)
            found.append(
                Passage(
                    chunk=neighbour,
                    score=passage.score * NEIGHBOUR_DENSE_SHARE,
                    dense_score=passage.dense_score * NEIGHBOUR_DENSE_SHARE,
                    bm25_score=0.0,
                )
            )
    return found
