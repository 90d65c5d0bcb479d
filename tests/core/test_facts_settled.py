"""Facts settled once per article and kept between builds give exactly what settling the whole corpus gives."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from bot.core.aliases import load_default_aliases
from bot.core.chunking import approximate_token_counter, split_into_chunks
from bot.core.corpus import load_corpus
from bot.core.facts import SettledArticle, diff_facts, extract_facts
from bot.core.facts import _finalise as finalise
from bot.core.facts import extract as extract_module
from bot.core.models import Article, BenchmarkFact, Chunk

ROOT = Path(__file__).resolve().parents[2]


def raw(article_id: str, model: str, benchmark: str, value: float, unit: str = "", position: int = 0) -> dict:
    sentence = f"{model} scores {value} on {benchmark}."
    return {
        "benchmark": benchmark, "model": model, "value_text": str(value), "value": value, "unit": unit,
        "qualifier": "", "article_id": article_id, "parts": [sentence], "fallback": [sentence],
        "position": position, "from_table": False,
    }  # fmt: skip


def article_with(article_id: str, items: list[dict], split: bool) -> tuple[Article, tuple[Chunk, ...]]:
    """The article of these facts: one chunk, or (``split``) a chunk per sentence."""
    sentences = [item["parts"][0] for item in items]
    texts = sentences if split else [" ".join(sentences)]
    chunks = tuple(
        Chunk(id=f"{article_id}#{n}", article_id=article_id, ordinal=n, heading="", text=text, embed_text=text)
        for n, text in enumerate(texts)
    )
    return Article(id=article_id, title=article_id, outlet="Wire", body=" ".join(sentences)), chunks


def settle(raws: dict[str, list[dict]], settled: dict[str, SettledArticle] | None, split: bool = False) -> tuple:
    pairs = [article_with(aid, items, split) for aid, items in sorted(raws.items())]
    articles = [a for a, _ in pairs]
    chunks = [c for _, cs in pairs for c in cs]
    signatures = {aid: f"v1|{items!r}" for aid, items in raws.items()}
    return finalise.finalize_facts(
        raws, articles, chunks, load_default_aliases(), signatures=signatures, settled=settled
    )


def test_kept_articles_settle_as_a_full_pass_when_names_and_units_change_around_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    raws = {
        "a": [raw("a", "Zeta Ultra 9", "Arena", 1400.0, "", 0), raw("a", "Zeta Ultra 9", "Arena", 1400.0, "", 1)],
        "b": [raw("b", "zeta ultra 9", "Arena", 1390.0, "elo", 0), raw("b", "Muse Spark", "Quiz Bench", 50.0)],
        "c": [raw("c", "Muse Spark", "Quiz Bench", 52.0)],
    }
    settled: dict[str, SettledArticle] = {}
    assert settle(raws, settled) == settle(raws, None)
    assert [f.unit for f in settle(raws, None) if f.benchmark == "Arena"] == ["elo", "elo"]  # a's duplicate dropped
    kept_c = settled["c"]

    calls: list[str] = []
    real = finalise._settle_article
    monkeypatch.setattr(finalise, "_settle_article", lambda items, *rest: calls.append(items[0]["article_id"])
                        or real(items, *rest))  # fmt: skip
    # "d" spells the model as "b" does, twice: its display name changes for "a" and "b" too; "points" leaves
    # Arena's unit alone, and "c" is kept as it was.
    raws["d"] = [raw("d", "zeta ultra 9", "Arena", 1380.0, "points", 0), raw("d", "zeta ultra 9", "Arena", 7.0)]
    again = settle(raws, settled)
    settled_now = sorted(calls)

    assert again == settle(raws, None)
    assert {f.model for f in again if f.benchmark == "Arena"} == {"zeta ultra 9"}
    assert settled_now == ["a", "b", "d"]
    assert settled["c"] is kept_c
    assert set(settled) == {"a", "b", "c", "d"}

    calls.clear()
    del raws["a"]  # a removal: the others settle as before, and "a" is forgotten
    after_removal = settle(raws, settled)
    settled_now = sorted(calls)
    assert after_removal == settle(raws, None)
    assert settled_now == []
    assert set(settled) == {"b", "c", "d"}

    rechunked = settle(raws, settled, split=True)  # the same raw facts in other chunks: quotes placed again
    assert rechunked == settle(raws, None, split=True)
    assert {f.chunk_id for f in rechunked} != {f.chunk_id for f in after_removal}


def test_an_extractor_kept_between_builds_gives_the_facts_of_a_full_extraction() -> None:
    load = load_corpus(ROOT / "corpus")
    articles = sorted(load.articles, key=lambda a: a.id)
    chunks_of = {a.id: split_into_chunks(a, approximate_token_counter) for a in articles}
    table = Article(
        id="zeta", title="Zeta results", outlet="Lab", body="## Scores\n\n| Model | HealthBench Hard |\n|---|---|\n"
        "| Zeta Ultra 9 | 44.0 |\n| Muse Spark | 42.8 |\n\nZeta Ultra 9 scores 44.0 on HealthBench Hard.",
    )  # fmt: skip
    chunks_of["zeta"] = split_into_chunks(table, approximate_token_counter)
    settled: dict[str, SettledArticle] = {}
    state = None
    for corpus in (articles[:-1], articles, [*articles, table], [a for a in articles if a.id != articles[0].id]):
        chunks = [c for a in corpus for c in chunks_of[a.id]]
        facts, state = extract_module.extract_facts_reusing(corpus, chunks, state, settled=settled)
        assert facts == extract_facts(corpus, chunks)
        assert facts
        assert set(settled) == {a.id for a in corpus}


def copies(facts: tuple[BenchmarkFact, ...]) -> tuple[BenchmarkFact, ...]:
    """Equal facts that share no identity (what a build read back from facts.json holds)."""
    return tuple(dataclasses.replace(f) for f in facts)


def test_a_diff_of_facts_kept_by_identity_is_the_diff_of_facts_read_afresh() -> None:
    load = load_corpus(ROOT / "corpus")
    articles = sorted(load.articles, key=lambda a: a.id)
    old = extract_facts(articles, [c for a in articles for c in split_into_chunks(a, approximate_token_counter)])
    first, second = old[0], next(f for f in old if f.benchmark != old[0].benchmark)
    rival = dataclasses.replace(first, article_id="zeta", value=first.value + 1, value_text=f"{first.value + 1:g}")
    edits = {
        "a value changed": tuple(
            dataclasses.replace(f, value_text="99.9", value=99.9) if f is second else f for f in old
        ),
        "a conflict introduced": (*old, rival),
        "a fact gone": tuple(f for f in old if f is not first),
        "nothing changed": old,
        "the same facts reordered": tuple(reversed(old)),  # conflict lines list their sources in order
    }
    for what, new in edits.items():
        expected = diff_facts(copies(old), copies(new))
        assert diff_facts(old, new) == expected, what
        assert bool(expected[0] or expected[1] or expected[2]) == (what != "nothing changed"), what
    assert diff_facts((*old, rival), old) == diff_facts(copies((*old, rival)), copies(old))  # a conflict resolved


def test_a_fact_given_the_corpus_unit_stays_the_same_object_while_that_unit_does() -> None:
    raws = {"a": [raw("a", "Zeta Ultra 9", "Arena", 1400.0)], "b": [raw("b", "Zeta Ultra 9", "Arena", 1390.0, "elo")]}
    settled: dict[str, SettledArticle] = {}
    first = next(f for f in settle(raws, settled) if f.article_id == "a")
    raws["c"] = [raw("c", "Muse Spark", "Quiz Bench", 50.0)]
    second = next(f for f in settle(raws, settled) if f.article_id == "a")
    assert first.unit == "elo"
    assert second is first  # an add elsewhere: the diff and facts.json's writer tell it apart by identity

    raws["d"] = [raw("d", "Zeta Ultra 9", "Arena", 81.0, "%")]  # two units: Arena's is no longer settled
    third = settle(raws, settled)
    assert third == settle(raws, None)
    assert next(f for f in third if f.article_id == "a").unit == ""
    del raws["d"]
    fourth = next(f for f in settle(raws, settled) if f.article_id == "a")
    assert fourth == first


def test_facts_json_is_the_json_of_the_facts_whichever_objects_it_kept() -> None:
    import json

    from bot.core.index._build import _facts_json
    from bot.core.index._segment import fields_of

    load = load_corpus(ROOT / "corpus")
    articles = sorted(load.articles, key=lambda a: a.id)
    facts = extract_facts(articles, [c for a in articles for c in split_into_chunks(a, approximate_token_counter)])
    changed = tuple(
        dataclasses.replace(f, value=-0.0, value_text="-0") if n % 3 == 0 else f for n, f in enumerate(facts)
    )
    for sample in (facts, facts, changed, copies(changed), facts):
        expected = json.dumps([fields_of(f) for f in sample], ensure_ascii=False) + "\n"
        assert _facts_json(sample) == expected.encode("utf-8")


def test_settled_facts_count_only_the_changed_articles_and_give_a_full_settling(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bot.core.facts import SettledFacts

    taken: list[bool] = []
    real = finalise._settle_changes
    monkeypatch.setattr(
        finalise, "_settle_changes", lambda *args: taken.append((out := real(*args)) is not None) or out
    )
    monkeypatch.setattr(finalise, "INCREMENTAL_SHARE", 1.0)
    raws = {
        f"m{n}": [raw(f"m{n}", "Muse Spark", "Quiz Bench", 50.0 + n), raw(f"m{n}", "Zeta Ultra 9", "Arena", 1300.0 + n)]
        for n in range(6)
    }
    settled = SettledFacts()
    steps = {
        "first": lambda: None,
        "an article added in the middle": lambda: raws.__setitem__(
            "m2a", [raw("m2a", "Zeta Ultra 9", "Arena", 1411.0, "elo", 1), raw("m2a", "Muse Spark", "Quiz Bench", 9.0)]
        ),  # Arena's facts elsewhere take "elo" now
        "one changed": lambda: raws.__setitem__("m4", [raw("m4", "Muse Spark", "Quiz Bench", 61.0, "%")]),
        "a second unit: Arena's is unsettled": lambda: raws.__setitem__(
            "m5", [raw("m5", "Zeta Ultra 9", "Arena", 77.0, "%")]
        ),
        "that one removed": lambda: raws.pop("m5"),
        "a new name elsewhere": lambda: raws.__setitem__("n0", [raw("n0", "Kimi K2.5", "Arena", 3.0)]),
        "the elo article removed": lambda: raws.pop("m2a"),
    }
    for what, change in steps.items():
        change()
        assert settle(raws, settled) == settle(raws, None), what
    assert taken == [True] * (len(steps) - 1)  # every step after the first settled only its changes
    assert set(settled) == set(raws)

    # A spelling that now settles to another name (written more often): every article is looked at again.
    raws["w0"] = [raw("w0", "zeta ultra 9", "Arena", 1.0, "", n) for n in range(3)]
    raws["w1"] = [raw("w1", "zeta ultra 9", "Arena", 2.0, "", n) for n in range(9)]
    assert settle(raws, settled) == settle(raws, None)
    assert {f.model for f in settle(raws, None) if f.benchmark == "Arena"} == {"zeta ultra 9", "Kimi K2.5"}
    assert taken[-1] is False
    rechunked = settle(raws, settled, split=True)  # other chunks: those articles settled again
    assert rechunked == settle(raws, None, split=True)
    assert taken[-1] is True


def zeta_article(article_id: str, body: str) -> str:
    return f"---\nid: {article_id}\ntitle: Zeta {article_id}\noutlet: Wire\n---\n\n{body}\n"


ZETA_TABLE = "## Results\n\n| Model | Zeta Arena |\n|---|---|\n| Muse Spark | 1400 |\n| GPT-5.4 | 1380 |"
ZETA_ELO = (
    "## Results\n\n| Model | Zeta Arena (Elo) |\n|---|---|\n| Muse Spark | 1,444 |\n| GPT-5.4 | 1,401 |\n\n"
    "On Zeta Arena, Muse Spark scored 1,444 Elo."
)
ZETA_TWO_UNITS = "Muse Spark scored 1,432 Elo on Zeta Arena. GPT-5.4 scored 61.0% on Zeta Arena."


def test_the_first_add_after_a_load_settles_only_its_changes_and_gives_a_full_settling(
    tmp_path: Path, fake_embedder: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A service that loaded a build from disk takes up that build's settling: its first add settles the articles
    it changed and those whose unit it moves (zeta-a's bare scores become Elo), never the whole corpus."""
    import shutil

    from bot.core.facts import FactTable
    from bot.core.service import MuseService, ServiceConfig

    corpus, index_dir, inbox = tmp_path / "corpus", tmp_path / "index", tmp_path / "inbox"
    shutil.copytree(ROOT / "corpus", corpus)
    inbox.mkdir()
    (corpus / "zeta-a.md").write_text(zeta_article("zeta-a", ZETA_TABLE), encoding="utf-8")
    (inbox / "zeta-b.md").write_text(zeta_article("zeta-b", ZETA_ELO), encoding="utf-8")
    (inbox / "zeta-c.md").write_text(zeta_article("zeta-c", ZETA_TWO_UNITS), encoding="utf-8")
    config = ServiceConfig(corpus_dir=corpus, index_dir=index_dir)
    MuseService(config, embedder_factory=lambda: fake_embedder).build_index()

    settled_ids: list[str] = []
    real = finalise._settle_article
    monkeypatch.setattr(
        finalise, "_settle_article", lambda items, *rest: settled_ids.extend({i["article_id"] for i in items})
        or real(items, *rest),
    )  # fmt: skip
    monkeypatch.setattr(finalise, "INCREMENTAL_SHARE", 1.0)  # the shipped corpus is small: any share settles a part

    def full_settling(service: MuseService) -> tuple[BenchmarkFact, ...]:
        index = service.ensure_ready().index
        return extract_facts(sorted(index.articles.values(), key=lambda a: a.id), index.chunks)

    steps = {
        "an article whose unit moves a kept article's": (lambda s: s.add_articles([inbox / "zeta-b.md"]), 2),
        "a second unit: Zeta Arena's unsettled again": (lambda s: s.add_articles([inbox / "zeta-c.md"]), 3),
        "the Elo article removed": (lambda s: s.remove_articles(["zeta-b"]), 2),
    }
    for what, (change, at_most) in steps.items():
        service = MuseService(config, embedder_factory=lambda: fake_embedder)  # a fresh process: loaded from disk
        service.ensure_ready()
        settled_ids.clear()
        change(service)
        assert 0 < len(set(settled_ids)) <= at_most, what
        serving = service.ensure_ready()
        assert serving.index.facts == full_settling(service), what
        assert serving.facts.facts == serving.index.facts, what
        fresh = FactTable(serving.index.facts, serving.sources, catalog=serving.facts.catalog)
        assert serving.facts.conflicts() == fresh.conflicts(), what
        if what.startswith("an article whose unit"):
            assert {f.unit for f in serving.index.facts if f.article_id == "zeta-a"} == {"Elo"}
    rebuilt = MuseService(config, embedder_factory=lambda: fake_embedder)
    rebuilt.build_index(full=True)
    assert rebuilt.ensure_ready().index.facts == service.ensure_ready().index.facts
