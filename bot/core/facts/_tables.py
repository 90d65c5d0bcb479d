"""Scores stated in tables: models x benchmarks, benchmark rows x model columns, long (model, benchmark, score)
tables, and one generic score column whose benchmark comes from the sentence introducing the table."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from bot.core.facts._layout import Layout, Normalized, Table
from bot.core.facts._mentions import (
    TRAILING_WORDS,
    ModelMatcher,
    benchmark_runs,
    looks_like_benchmark,
    plain_text,
    qualifier_spans,
)
from bot.core.facts._patterns import word_set
from bot.core.facts._raw import RawFact
from bot.core.names import BENCHMARK, MODEL, key_tokens, name_key

_PIPE_SEPARATOR_RE = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_CELL_VALUE_RE = re.compile(
    r"^(?:\*\*|__|\*|_)?\s*(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(?P<unit>%|Elo|ELO|pts|points|[MBK])?"
    r"\s*(?:\*\*|__|\*|_)?\s*[*†‡§¹²³⁴]*\s*$"
)
_MODEL_HEADERS = frozenset({"model", "models", "system", "systems", "llm", "ai model", "name", "model name"})
_BENCH_HEADERS = frozenset({"benchmark", "benchmarks", "eval", "evaluation", "task", "test", "metric", "category"})
_SCORE_HEADERS = frozenset({"score", "scores", "result", "results", "value", "accuracy", "elo", "rating", "%"})
_SKIP_HEADERS = word_set(
    """rank # developer vendor provider organization org company lab maker creator release released date
    params parameters size context window price cost license open weights type notes note modality
    availability access input output year"""
)
_NOT_MODEL_ROWS = frozenset({"average", "mean", "median", "human", "humans", "baseline", "random", "chance", "total"})


@dataclass(frozen=True, slots=True)
class _Column:
    kind: str  # "model" | "benchmark" | "score" (a generic score column) | "skip"
    name: str
    unit: str = ""
    qualifier: str = ""


def learn_table_models(layouts: Iterable[Layout]) -> set[str]:
    """Names in the first column of tables under a "Model" header: models even when no family matches."""
    learned: set[str] = set()
    for layout in layouts:
        for table in layout.tables:
            header, rows = _table_cells(table)
            column = next((i for i, cell in enumerate(header) if _clean_cell(cell).lower() in _MODEL_HEADERS), None)
            if column is not None:
                for _line, cells in rows:
                    label = _split_label(cells[column])[0] if len(cells) > column else ""
                    if label and label.lower() not in _NOT_MODEL_ROWS and not _CELL_VALUE_RE.match(label):
                        learned.add(label)
    return learned


def _clean_cell(cell: str) -> str:
    cell = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", cell)  # [text](link)
    cell = re.sub(r"\*\*|__|`", "", cell)
    return plain_text(cell).strip().strip("*_ ").rstrip("*†‡§¹³⁴").strip()


def _is_header_line(line: str) -> bool:
    words = line.split()
    return bool(words) and (words[0].lower() in _MODEL_HEADERS | _BENCH_HEADERS or not re.search(r"\d\s*%?\s*$", line))


def _table_cells(table: Table) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """(header cells, [(row line, row cells)]) of a pipe table or a plain-text table; ([], []) when unusable."""
    if table.is_pipe:
        if len(table.lines) < 3 or not _PIPE_SEPARATOR_RE.match(table.lines[1].strip()):
            return [], []
        lines = [table.lines[0], *table.lines[2:]]
        split = [[c.strip() for c in line.strip().strip("|").split("|")] for line in lines]
        return split[0], list(zip(lines[1:], split[1:], strict=True))
    lines = list(table.lines)
    if not _is_header_line(lines[0]):
        return [], []
    header_line, data = lines[0].strip(), lines[1:]
    if any("\t" in line or re.search(r"\S {2,}\S", line.strip()) for line in lines):
        return re.split(r"\t+| {2,}", header_line), [(line, re.split(r"\t+| {2,}", line.strip())) for line in data]
    # Single-space columns: "<label> <value>" rows under "<Model> <what the values are>".
    rows = []
    for line in data:
        match = re.match(r"^(.*?)\s+(\S+)$", line.strip())
        rows.append((line, [match.group(1), match.group(2)] if match else [line.strip()]))
    words = header_line.split()
    if words[0].lower() in _MODEL_HEADERS | _BENCH_HEADERS:
        return [words[0], " ".join(words[1:])], rows
    return ["", header_line], rows


def _split_label(cell: str) -> tuple[str, str, str]:
    """(name, unit, qualifier) of a header or row label: "HLE (with tools)" -> ("HLE", "", "with tools").

    A parenthesis that is neither a unit nor a known setting is kept as the qualifier ("τ²-bench (retail)").
    """
    text = _clean_cell(cell)
    unit = qualifier = ""
    for inner in re.findall(r"\(([^()]*)\)", text):
        low = inner.strip().lower()
        if low in {"%", "percent", "% correct", "accuracy %", "acc %", "accuracy"}:
            unit = "%"
        elif low in {"elo", "elo rating"}:
            unit = "Elo"
        elif low in {"points", "pts"}:
            unit = "points"
        elif low:
            spans = qualifier_spans(inner, []) or qualifier_spans(f"({inner})", [])
            qualifier = spans[0].text if spans else re.sub(r"\s+", " ", inner.strip())
    name = re.sub(r"\s*\([^()]*\)", "", text).strip()
    if re.search(r"\s(?:Elo|ELO)$", name):
        name, unit = name[:-4].strip(), unit or "Elo"
    words = name.split()
    while len(words) > 1 and words[-1].capitalize() in TRAILING_WORDS:
        words.pop()
    return " ".join(words), unit, qualifier


def _column_of(cell: str, matcher: ModelMatcher) -> _Column:
    name, unit, qualifier = _split_label(cell)
    low = _clean_cell(cell).lower()
    first_word = re.findall(r"[a-z#]+", low)[:1]
    if not low or "$" in low or (first_word and first_word[0] in _SKIP_HEADERS) or low in _SKIP_HEADERS:
        return _Column("skip", name)
    if matcher.is_model(name):
        return _Column(MODEL, name, unit, qualifier)
    if name.lower() in _SCORE_HEADERS:
        return _Column("score", "", unit or ("Elo" if name.lower() == "elo" else ""), qualifier)
    return _Column(BENCHMARK, name, unit, qualifier)


def _parse_cell_value(cell: str) -> tuple[str, float, str] | None:
    match = _CELL_VALUE_RE.match(cell.strip())
    if not match:
        return None
    number, unit = match.group("num"), match.group("unit") or ""
    if unit in {"M", "B", "K"}:
        return None  # sizes and prices, not scores
    value_text = number + ("%" if unit == "%" else "")
    return value_text, float(number.replace(",", "")), {"ELO": "Elo", "pts": "points"}.get(unit, unit)


def facts_from_tables(article_id: str, layout: Layout, matcher: ModelMatcher) -> list[RawFact]:
    """Facts from models × benchmarks tables, benchmark-rows × model-columns tables, and long (model,
    benchmark, score) tables; a table with one generic score column takes its benchmark from the sentence
    that introduces it or from its heading."""
    facts: list[RawFact | None] = []
    for table in layout.tables:
        header, rows = _table_cells(table)
        if not header or not rows:
            continue
        first = _clean_cell(header[0]).lower()
        columns = [_column_of(cell, matcher) for cell in header[1:]]
        model_columns = sum(c.kind == MODEL for c in columns)
        if model_columns >= 2 or (model_columns and first in _BENCH_HEADERS):
            for line, cells in rows:  # one benchmark per row, one model per column
                name, unit, qualifier = _split_label(cells[0])
                if not name or matcher.is_model(name) or not _is_benchmark_label(name):
                    continue
                if _column_of(cells[0], matcher).kind == "skip":  # "Context window", "Price", "Release"
                    continue
                for column, cell in zip(columns, cells[1:], strict=False):
                    if column.kind == MODEL:
                        facts.append(
                            _cell_fact(article_id, table, line, name, column.name, cell,
                                       unit or column.unit, _both(qualifier, column.qualifier))
                        )  # fmt: skip
            continue
        label_col = _model_column(header, rows, matcher)
        if label_col is None:
            continue
        long_form = _long_form_columns(header)
        for line, cells in rows:
            if len(cells) <= label_col:
                continue
            model, _unit, model_qualifier = _split_label(cells[label_col])
            if not model or model.lower() in _NOT_MODEL_ROWS:
                continue
            if long_form is not None:
                bench_col, score_col = long_form
                if len(cells) > max(bench_col, score_col):
                    name, unit, qualifier = _split_label(cells[bench_col])
                    if _is_benchmark_label(name):
                        fact = _cell_fact(article_id, table, line, name, model, cells[score_col], unit,
                                          _both(qualifier, model_qualifier))  # fmt: skip
                        facts.append(fact)
                continue
            for index, column in enumerate(columns, start=1):
                if index != label_col and column.kind in (BENCHMARK, "score") and len(cells) > index:
                    benchmark = _table_benchmark(column.name, table, matcher)
                    facts.append(
                        _cell_fact(article_id, table, line, benchmark, model, cells[index], column.unit,
                                   _both(column.qualifier, model_qualifier))
                    )  # fmt: skip
    return [fact for fact in facts if fact is not None]


def _both(setting: str, of_row: str) -> str:
    """The qualifier of a cell whose row and column both say one: "Muse Spark (Thinking)" under "HLE (no tools)"
    is Thinking without tools, not a Muse Spark score without tools that Instant's would contradict."""
    if not setting or not of_row or setting.lower() == of_row.lower():
        return setting or of_row
    return f"{of_row}, {setting}"


def _model_column(header: list[str], rows: list[tuple[str, list[str]]], matcher: ModelMatcher) -> int | None:
    """The column that names the models: headed "Model", else the first one whose cells are mostly models."""
    for index, cell in enumerate(header):
        if _clean_cell(cell).lower() in _MODEL_HEADERS:
            return index
    for index in range(len(header)):
        labels = [_split_label(cells[index])[0] for _, cells in rows if len(cells) > index]
        if sum(1 for label in labels if matcher.is_model(label)) >= max(2, (len(labels) + 1) // 2):
            return index
    return None


def _cell_fact(
    article_id: str, table: Table, line: str, benchmark: str, model: str, cell: str, unit: str, qualifier: str
) -> RawFact | None:
    """The fact one table cell states; its quote is the header line and the row."""
    parsed = _parse_cell_value(cell)
    if parsed is None or not benchmark or not model:
        return None
    value_text, value, cell_unit = parsed
    offset = table.position + sum(len(row) + 1 for row in table.lines[: table.lines.index(line)])
    return RawFact(
        benchmark=benchmark,
        model=model,
        value_text=value_text,
        value=value,
        unit=cell_unit or unit,
        qualifier=qualifier,
        article_id=article_id,
        parts=(table.lines[0], line),
        fallback=(line,),
        position=offset + max(line.find(cell.strip()), 0),
        from_table=True,
    )


def _is_benchmark_label(name: str) -> bool:
    return looks_like_benchmark(name.split()) or bool(re.search(r"[A-Z]", name))


def _long_form_columns(header: list[str]) -> tuple[int, int] | None:
    """(benchmark column, score column) of a "| Model | Benchmark | Score |" table, else None."""
    lows = [_split_label(h)[0].lower() for h in header]
    bench = next((i for i, h in enumerate(lows) if h in _BENCH_HEADERS), None)
    score = next((i for i, h in enumerate(lows) if h in _SCORE_HEADERS), None)
    return (bench, score) if bench is not None and score is not None and bench != score else None


def _table_benchmark(label: str, table: Table, matcher: ModelMatcher) -> str:
    """The benchmark of a table column: its header, widened by the sentence introducing the table ("… on the
    Artificial Analysis Intelligence Index v4.0:") or the heading; a generic "Score" column takes the one
    benchmark they name."""
    label_tokens = key_tokens(label)
    for source in (table.intro, table.heading):
        if not source:
            continue
        norm = Normalized(source)
        runs = benchmark_runs(norm.text, matcher.find(norm.text))
        names = [plain_text(norm.original_span(b.start, b.end)) for b in runs if b.strong]
        if label_tokens:
            wider = [n for n in names if _contains_run(key_tokens(n), label_tokens)]
            if wider:
                return max(wider, key=len)
        elif len({name_key(n) for n in names}) == 1:
            return names[0]
    return label if label and looks_like_benchmark(label.split()) else ""


def _contains_run(haystack: list[str], needle: list[str]) -> bool:
    n = len(needle)
    return any(haystack[i : i + n] == needle for i in range(len(haystack) - n + 1))
