"""A FactTable made from the previous build's by moving only the changed articles' facts is the table of a fresh
build, key order and all; and its diff is the diff of every fact."""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path

import pytest

from bot.core.chunking import approximate_token_counter, split_into_chunks
from bot.core.corpus import load_corpus
from bot.core.facts import FactTable, _regroup, diff_facts, diff_tables, extract_facts
from bot.core.models import BenchmarkFact
from bot.core.names import NameCatalog

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def regroup_any_share(monkeypatch: pytest.MonkeyPatch) -> None:
    """The shipped corpus has a few articles: one change is more than the share past which a table is built anew."""
    monkeypatch.setattr(_regroup, "REGROUP_SHARE", 1.0)


def shipped_facts() -> tuple[BenchmarkFact, ...]:
    articles = sorted(load_corpus(ROOT / "corpus").articles, key=lambda a: a.id)
    return extract_facts(articles, [c for a in articles for c in split_into_chunks(a, approximate_token_counter)])


def by_article(facts: tuple[BenchmarkFact, ...]) -> dict[str, tuple[BenchmarkFact, ...]]:
    out: dict[str, list[BenchmarkFact]] = {}
    for fact in facts:
        out.setdefault(fact.article_id, []).append(fact)
    return {a: tuple(fs) for a, fs in out.items()}


def flat(articles: dict[str, tuple[BenchmarkFact, ...]]) -> tuple[BenchmarkFact, ...]:
    return tuple(f for a in sorted(articles) for f in articles[a])


def is_moved(old: FactTable, new: FactTable) -> bool:
    """Whether ``FactTable.updated`` moves ``old`` on to ``new``'s facts rather than building anew."""
    return _regroup.changed_articles(old.facts, old._ranges, new.facts, new._ranges) is not None


def contents(table: FactTable) -> dict[str, object]:
    """Everything a table holds, in its orders."""
    return {
        "facts": table.facts,
        **{
            name: [(k, tuple(v)) for k, v in getattr(table, name).items()]
            for name in ("_by_benchmark", "_by_model", "_groups")
        },
        "by_chunk": {k: tuple(v) for k, v in table._by_chunk.items()},  # read by chunk id alone, in no order
        "article_order": list(table._article_order.items()),
        "conflicts": table.conflicts(),
        "conflict_of": list(table._conflict_of.items()),
        "models": table.catalog.models,
        "benchmarks": table.catalog.benchmarks,
        "ranges": table._ranges,
    }


def catalog_for(models: tuple[str, ...], benchmarks: tuple[str, ...]) -> NameCatalog:
    return NameCatalog(models, benchmarks)


def test_an_updated_table_is_a_fresh_table_of_the_same_facts() -> None:
    articles = by_article(shipped_facts())
    first_id = sorted(articles)[0]
    some = articles[first_id][0]

    def edit(fact: BenchmarkFact, **changes: object) -> BenchmarkFact:
        return dataclasses.replace(fact, **changes)  # type: ignore[arg-type]

    steps = {
        "an article added first, with a new benchmark, model and a conflict": lambda a: a.__setitem__(
            "0-new",
            (
                edit(some, article_id="0-new", chunk_id="0-new#0", benchmark="Zeta Bench", model="Zeta Ultra 9"),
                edit(some, article_id="0-new", chunk_id="0-new#0", value=some.value + 3, value_text="x"),
            ),
        ),
        "an article added last": lambda a: a.__setitem__(
            "zz-last", tuple(edit(f, article_id="zz-last", chunk_id="zz-last#1") for f in a[first_id][:3])
        ),
        "the first article removed": lambda a: a.pop(first_id),
        "an article's values changed": lambda a: a.__setitem__(
            sorted(a)[2], tuple(edit(f, value=f.value + 1, value_text="changed") for f in a[sorted(a)[2]])
        ),
        "nothing changed": lambda a: None,
        "the new article removed": lambda a: a.pop("0-new"),
    }
    before = FactTable(flat(articles), catalog=catalog_for(*_names(flat(articles))))
    for what, change in steps.items():
        change(articles)
        facts = flat(articles)
        fresh = FactTable(facts, catalog=catalog_for(*_names(facts)))
        updated = FactTable.updated(before, facts, None, catalog_for)
        assert is_moved(before, updated), what
        assert contents(updated) == contents(fresh), what
        assert diff_tables(before, updated) == diff_facts(before.facts, fresh.facts), what
        before = updated


def _names(facts: tuple[BenchmarkFact, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    catalog = NameCatalog.from_facts(facts)
    return catalog.models, catalog.benchmarks


def test_random_changes_keep_an_updated_table_equal_to_a_fresh_one() -> None:
    articles = by_article(shipped_facts())
    pool = [f for fs in articles.values() for f in fs]
    rng = random.Random(5)
    table = FactTable(flat(articles), catalog=catalog_for(*_names(flat(articles))))
    for step in range(40):
        target = rng.choice([*articles, f"n{step:02d}"])
        if target in articles and rng.random() < 0.3:
            del articles[target]
        else:
            picked = rng.sample(pool, rng.randint(1, 6))
            articles[target] = tuple(
                dataclasses.replace(f, article_id=target, chunk_id=f"{target}#{n % 2}") for n, f in enumerate(picked)
            )
        facts = flat(articles)
        updated = FactTable.updated(table, facts, None, catalog_for)
        assert is_moved(table, updated), step
        assert contents(updated) == contents(FactTable(facts, catalog=catalog_for(*_names(facts)))), step
        assert diff_tables(table, updated) == diff_facts(table.facts, facts), step
        table = updated


def test_facts_not_grouped_by_article_build_the_table_anew() -> None:
    facts = shipped_facts()
    table = FactTable(facts)
    shuffled = tuple(sorted(facts, key=lambda f: (f.benchmark, f.model)))
    updated = FactTable.updated(table, shuffled, None, catalog_for)
    assert updated._ranges is None
    assert contents(updated) == contents(FactTable(shuffled, catalog=catalog_for(*_names(shuffled))))
    assert diff_tables(table, updated) == diff_facts(facts, shuffled)


def scores_article(n: int, muse: float, gpt: float) -> str:
    return (
        f"---\nid: scores-{n:02d}\ntitle: Scores {n}\noutlet: Wire\n---\n\n## Results\n\n"
        f"Muse Spark posted new results in test number {n}.\n\n"
        "| Model | HealthBench Hard | ARC-AGI-2 |\n|---|---|---|\n"
        f"| Muse Spark | {muse} | {gpt - 3} |\n| GPT-5.4 | {gpt} | {muse - 3} |\n"
    )


def test_a_service_moves_its_table_on_and_reports_what_a_full_diff_reports(
    tmp_path: Path, fake_embedder: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    from bot.core._changes import describe_change
    from bot.core.index import BuildStats
    from bot.core.service import MuseService, ServiceConfig

    corpus, index_dir, inbox = tmp_path / "corpus", tmp_path / "index", tmp_path / "inbox"
    shutil.copytree(ROOT / "corpus", corpus)
    inbox.mkdir()
    for n in range(0, 12, 2):
        (corpus / f"scores-{n:02d}.md").write_text(scores_article(n, 40.0 + n, 50.0 - n), encoding="utf-8")
    (inbox / "scores-05.md").write_text(scores_article(5, 41.0, 52.0), encoding="utf-8")  # between two, a rival
    (inbox / "scores-04.md").write_text(scores_article(4, 40.0, 44.0), encoding="utf-8")  # scores-04 updated
    service = MuseService(ServiceConfig(corpus_dir=corpus, index_dir=index_dir), embedder_factory=lambda: fake_embedder)
    service.build_index()
    moved: list[bool] = []
    real = FactTable.updated.__func__  # type: ignore[attr-defined]

    def spy(cls: type[FactTable], previous: FactTable, facts: tuple, *rest: object) -> FactTable:
        moved.append(is_moved(previous, FactTable(facts)))
        return real(cls, previous, facts, *rest)

    changes = {
        "an add with rival scores": lambda: service.add_articles([inbox / "scores-05.md"]),
        "an update": lambda: service.add_articles([inbox / "scores-04.md"]),
        "a removal": lambda: service.remove_articles(["scores-00"]),
    }
    monkeypatch.setattr(FactTable, "updated", classmethod(spy))
    for what, change in changes.items():
        before = service.ensure_ready().index
        report = change()
        after = service.ensure_ready()
        stats = BuildStats(report.build_id, 0, report.chunks_embedded, 0, 0)
        expected = describe_change(before, after.index, stats)
        assert dataclasses.replace(report, skipped=(), recovered=()) == expected, what
        assert report.fact_changes, what
        old_texts = {c.id: c.embed_text for c in before.chunks}
        new_texts = {c.id: c.embed_text for c in after.index.chunks}
        assert report.chunks_added == sum(old_texts.get(c) != t for c, t in new_texts.items()), what
        assert report.chunks_removed == sum(new_texts.get(c) != t for c, t in old_texts.items()), what
        assert report.chunks_added or report.chunks_removed, what
        fresh = FactTable(after.index.facts, after.sources, catalog=after.facts.catalog)
        assert contents(after.facts) == contents(fresh), what
    assert moved == [True, True, True]
