"""Synthetic news articles for the speed harness: realistic launch-coverage paragraphs, tables and scores.

Deterministic for a seed. Each article is ~450 words of Markdown with YAML front matter, in three
sections of two paragraphs; one in four carries a benchmark table under a "Model" header, like the
real coverage does, so fact extraction and learned model names get exercised.
"""

from __future__ import annotations

import random
from pathlib import Path

MODELS = (
    "Muse Spark",
    "GPT-5.4",
    "Gemini 3.1 Pro",
    "Claude Opus 4.6",
    "Grok 4.2",
    "Llama 4 Maverick",
    "Qwen 3.5 Max",
    "DeepSeek V3.2",
    "Kimi K2.5",
    "Mistral Large 3",
)
BENCHMARKS = (
    "HealthBench Hard",
    "Humanity's Last Exam",
    "ARC-AGI-2",
    "SWE-bench Verified",
    "GPQA Diamond",
    "Terminal-Bench 2.0",
    "MMMU-Pro",
    "CharXiv Reasoning",
    "DeepSearchQA",
    "Artificial Analysis Intelligence Index",
)
OUTLETS = (
    "The Verge",
    "TechCrunch",
    "Wired",
    "Ars Technica",
    "Reuters",
    "Bloomberg",
    "The Information",
    "Axios",
    "VentureBeat",
    "CNBC",
    "Financial Times",
    "Platformer",
)
PEOPLE = (
    "Alexandr Wang",
    "Mark Zuckerberg",
    "Nat Friedman",
    "Chris Cox",
    "an analyst at Bernstein",
    "a researcher at Epoch AI",
    "a former Meta engineer",
    "an enterprise buyer",
)
PLACES = ("meta.ai", "the Meta AI app", "WhatsApp", "Instagram", "Messenger", "Ray-Ban Meta glasses")
TOPICS = (
    "health questions",
    "shopping",
    "homework help",
    "travel planning",
    "coding",
    "image understanding",
    "long documents",
    "spreadsheets",
    "customer support",
    "research reports",
)
HEADINGS = (
    "What Meta announced",
    "How it scores",
    "Where it falls short",
    "The money behind it",
    "Availability",
    "What analysts say",
    "The closed-weights turn",
    "Agents and tools",
    "What comes next",
)

_SENTENCES = (
    "Meta Superintelligence Labs released {model} on {day}, the first model of its new Muse family.",
    "The company says {model} was trained on a rebuilt pretraining stack over {n} months.",
    "{model} scores {score} on {bench}, ahead of {model2} at {score2}.",
    "On {bench}, {model} reached {score}, while {model2} posted {score2}.",
    "Independent testing by Artificial Analysis placed {model} at {points} points on its Intelligence Index.",
    "{person} said the model was built to handle {topic} inside {place} without a separate subscription.",
    "Unlike earlier Llama releases, the weights are not published, and a private API preview is limited to select "
    "partners.",
    "Meta plans to spend between {capex_lo} and {capex_hi} billion dollars on infrastructure this year, much of it on "
    "data centres for training.",
    "The assistant now reaches {users} million monthly users across {place} and {place2}, according to the company.",
    "Critics point out that {model} still trails {model2} on long-horizon agentic coding tasks.",
    "A new Contemplating mode runs several agents in parallel before answering, which Meta compares to deep "
    "reasoning features from rivals.",
    "{person} called the launch a reset for Meta's AI strategy after a difficult year.",
    "In early tests, the model answered questions about {topic} with citations to the web pages it read.",
    "The company did not say when the API would open to all developers or how it would be priced.",
    "Shares of Meta rose {pct} percent in the days after the announcement.",
    "Benchmarks published by Meta show gains on visual reasoning, with {bench} cited as the clearest improvement.",
    "{model2} remains the reference point for most enterprise buyers, {person} said.",
    "The model is rolling out first in the United States, with other countries to follow over the coming weeks.",
    "Meta says the model used an order of magnitude less compute than {model2} to reach similar capability.",
    "Several researchers questioned whether the reported {bench} numbers were run with tools enabled.",
)
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")


def _fill(template: str, rng: random.Random) -> str:
    model, model2 = rng.sample(MODELS, 2)
    place, place2 = rng.sample(PLACES, 2)
    return template.format(
        model=model,
        model2=model2,
        bench=rng.choice(BENCHMARKS),
        score=f"{rng.uniform(20, 90):.1f}",
        score2=f"{rng.uniform(20, 90):.1f}",
        points=rng.randint(40, 60),
        person=rng.choice(PEOPLE),
        topic=rng.choice(TOPICS),
        place=place,
        place2=place2,
        day=rng.choice(_DAYS),
        n=rng.randint(6, 12),
        capex_lo=rng.randint(60, 90),
        capex_hi=rng.randint(95, 140),
        users=rng.randint(500, 1200),
        pct=f"{rng.uniform(1, 9):.1f}",
    )


def _paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(_fill(rng.choice(_SENTENCES), rng) for _ in range(sentences))


def _table(rng: random.Random) -> str:
    benches = rng.sample(BENCHMARKS[:8], 3)
    lines = ["| Model | " + " | ".join(benches) + " |", "|---|" + "---|" * len(benches)]
    for model in rng.sample(MODELS, 4):
        lines.append(f"| {model} | " + " | ".join(f"{rng.uniform(20, 90):.1f}" for _ in benches) + " |")
    return "\n".join(lines)


def make_article(number: int, seed: int = 7) -> tuple[str, str]:
    """(file name, Markdown text) of synthetic article `number`."""
    rng = random.Random(seed * 1_000_003 + number)
    article_id = f"synthetic-{number:05d}"
    title = f"{rng.choice(MODELS[:1] + MODELS)} and the {rng.choice(TOPICS)} race, part {number}"
    lines = [
        "---",
        f"id: {article_id}",
        f'title: "{title}"',
        f"outlet: {rng.choice(OUTLETS)}",
        f"author: Reporter {number % 97}",
        f"url: https://example.com/news/{article_id}",
        f"published: 2026-04-{1 + number % 28:02d}",
        "---",
        "",
    ]
    for section, heading in enumerate(rng.sample(HEADINGS, 3)):
        lines += [f"## {heading}", ""]
        lines += [_paragraph(rng, rng.randint(3, 5)), ""]
        if section == 1 and number % 4 == 0:
            lines += ["Scores reported at launch:", "", _table(rng), ""]
        lines += [_paragraph(rng, rng.randint(3, 5)), ""]
    return f"{article_id}.md", "\n".join(lines)


def write_corpus(folder: Path, count: int, *, start: int = 0, seed: int = 7) -> list[Path]:
    """Write `count` synthetic articles into `folder`; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(start, start + count):
        name, text = make_article(number, seed)
        path = folder / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths
