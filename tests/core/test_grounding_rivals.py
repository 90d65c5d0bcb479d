"""Short names, bare acronyms, withheld values and rival statements, on a tiny inline corpus with the real model.

Each test asks what an article says in other words than the question, or what two articles say differently,
and checks the answer holds the right figure, shows both sources' figures, or abstains.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pytest

from bot.core._asking import covering_passages
from bot.core.answer import read_focus
from bot.core.models import Passage
from bot.core.search import search_lexical
from bot.core.service import MuseService

pytestmark = pytest.mark.slow

ARTICLES = {
    "lumen-lineage.md": """---
id: lumen-lineage
title: "The Lumen family, model by model"
outlet: "Model Notes"
published: 2026-04-20
---
## The family

Lumen 2 arrived in 2024 as a dense model that anyone could download.
Lumen 3 changed the design. Spark and Flint were its first mixture-of-experts (MoE) models, each sending a
token to a few specialist sub-networks. Spark has 12 experts; Flint has 96.
A third model, Ember, with close to 900 billion parameters in total, was only ever shown as a preview.
That is worth unpacking, because Flint is not a small model. It is a Sparse Gating Network design with 400
billion parameters in all, of which 20 billion are active for any one token.

## Ripple

Kestrel built the first Ripple feed with models from Larkspur and Quillon Labs.
Halo has about 2 billion monthly users across its apps. It has not said how many people use Ripple itself.
Kestrel's Spark arrived roughly two months after Flint.
Spark's release date was April 8, 2026.
""",
    "ripple-speed.md": """---
id: ripple-speed
title: "How fast the Lumen models answer"
outlet: "Throughput Desk"
published: 2026-05-10
---
## Method

In the week of May 4 we sent 300 tasks to each model from a server in Ohio, and measured time to first
token (TTFT) in seconds and what the whole suite cost at list prices.

## Results

| Model | QuizBench |
| --- | --- |
| Spark | 71.2 |
| Flint | 68.0 |

Flint had a TTFT of 2.1 seconds, and Glint one of 0.8 seconds.
Kestrel's list price for Flint is $6 per million input tokens and $30 per million output tokens, and long
answers drive most of the bill.
Flint's MoE layers halve its serving costs, the company says.
Contemplating, which runs several agents in parallel and merges what they find, took 48 seconds on average
across the 25 puzzles we gave it.
""",
    "flint-launch.md": """---
id: flint-launch
title: "Kestrel ships Flint"
outlet: "Signal Desk"
published: 2026-02-21
---
## The release

Kestrel released Flint on February 20, 2026, with a short post from its founder.
Kestrel kept the price of its predecessor: $5 per million input tokens and $25 per million output tokens,
with a higher rate for prompts longer than 200,000 tokens.
Flint's Contemplating mode runs up to 16 agents in parallel.
Before launch, Kestrel says, it ran about 20,000 adversarial probes against the model.
""",
    "flint-review.md": """---
id: flint-review
title: "A month with Flint"
outlet: "Bench Review"
published: 2026-03-25
---
## Verdict

Flint came out on February 19, 2026.
Spark came out on April 9, 2026.
The app is fast, and the answers are short.
""",
    "kestrel-people.md": """---
id: kestrel-people
title: "Inside Kestrel"
outlet: "Org Chart"
published: 2026-04-02
---
## Reviews

The change was set out in a memo from Mira Osei, Kestrel's head of people, late in 2025. Impact from AI tools,
she wrote, would count in every review.

## Safety

Red-team testing was not done by Kestrel alone. Specialists from Brightwater ran part of it as outside
consultants.

## Creators

Of the creators we surveyed, 41% had tried making a Ripple clip, but only 12% said they post there every week.
""",
}


@pytest.fixture(scope="module")
def service(inline_service: Callable[[str, Mapping[str, str]], MuseService]) -> MuseService:
    return inline_service("rivals", ARTICLES)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("how many experts does lumen 3 flint have", "96"),  # "Flint" after "Lumen 3 changed the design"
        ("total parameters of lumen 3 ember", "900 billion"),
    ],
)
def test_a_short_name_stands_for_the_whole_one_the_passage_said(
    service: MuseService, question: str, expected: str
) -> None:
    answer = service.ask(question)

    assert not answer.abstained, answer.text
    assert expected in answer.text


def test_a_short_name_after_another_number_of_its_family_is_not_it(service: MuseService) -> None:
    answer = service.ask("how many experts does lumen 2 flint have")  # the passage last said Lumen 3

    assert answer.abstained, answer.text


def test_which_two_asks_for_two_answers_not_for_the_number_two(service: MuseService) -> None:
    answer = service.ask("which two firms' models powered the first ripple feed")

    assert not answer.abstained, answer.text
    assert "Larkspur" in answer.text
    assert "Quillon" in answer.text


@pytest.mark.parametrize("question", ["TTFT", "whats MoE", "TTFT in the throughput piece?"])
def test_an_acronym_asked_alone_is_answered_by_its_definition(service: MuseService, question: str) -> None:
    answer = service.ask(question)

    assert not answer.abstained, answer.text
    first = answer.text.splitlines()[0]
    assert "time to first token" in first or "mixture-of-experts" in first, answer.text


def test_a_withheld_value_in_the_second_sentence_of_a_unit_is_an_abstention(service: MuseService) -> None:
    withheld = service.ask("how many people use ripple every month")
    given = service.ask("how many monthly users does halo have")

    assert withheld.abstained, withheld.text
    assert "not been made public" in withheld.text
    assert not given.abstained, given.text
    assert "2 billion" in given.text


def test_what_date_wants_a_day_of_the_calendar(service: MuseService) -> None:
    answer = service.ask("what date did spark launch")

    assert not answer.abstained, answer.text
    first = answer.text.splitlines()[0]
    assert "two months" not in first, answer.text
    assert "April 8" in first or "April 9" in first, answer.text


@pytest.mark.parametrize(
    ("question", "values"),
    [
        ("when was flint released", ("February 20", "February 19")),  # "shipped" in the other article
        ("flint output token price per million", ("$30", "$25")),  # the rival says more besides
    ],
)
def test_a_rival_worded_otherwise_still_shows_the_difference(
    service: MuseService, question: str, values: tuple[str, str]
) -> None:
    answer = service.ask(question)

    assert "The articles differ" in answer.text, answer.text
    assert all(v in answer.text for v in values)
    assert len({c.article_id for c in answer.citations}) >= 2


def test_a_rival_retrieval_missed_is_found_from_the_answer_sentence(service: MuseService) -> None:
    answer = service.ask("what date did spark launch", top_k=1)  # one passage: the other article is not read

    assert "The articles differ" in answer.text, answer.text
    assert "April 8" in answer.text
    assert "April 9" in answer.text


def test_numbers_said_of_other_things_are_no_rival_count(service: MuseService) -> None:
    answer = service.ask("how many agents does contemplating run in parallel")

    assert "16" in answer.text.splitlines()[0], answer.text  # "16 agents", not "48 seconds … 25 puzzles"
    assert "The articles differ" not in answer.text


def test_the_passage_holding_every_term_is_read_though_retrieval_missed_it(service: MuseService) -> None:
    serving = service.ensure_ready()
    question = "how many adversarial probes did kestrel run before launch"
    focus = read_focus(question, idf=serving.term_stats.weight, lexicon=serving.index.lexicon)
    vector = service.embed_texts([question])[0]
    elsewhere = next(c for c in serving.index.chunks if c.article_id == "ripple-speed")
    kept = [Passage(chunk=elsewhere, score=1.0, dense_score=0.5, bm25_score=0.0)]

    found = covering_passages(serving, kept, focus, search_lexical(serving.index, question), vector)

    assert [p.chunk.article_id for p in found] == ["flint-launch"]
    assert "20,000" in found[0].chunk.text


@pytest.mark.parametrize(
    ("question", "name"),
    [
        ("who wrote the memo about ai impact in reviews at kestrel", "Mira Osei"),  # "she wrote", the name before
        ("who did the red-team testing with kestrel", "Brightwater"),  # "not done by Kestrel alone", the name after
    ],
)
def test_a_who_question_gets_the_name_from_the_sentence_beside_the_answer(
    service: MuseService, question: str, name: str
) -> None:
    answer = service.ask(question)

    assert not answer.abstained, answer.text
    assert name in answer.text


def test_every_day_is_a_setting_every_week_does_not_ground(service: MuseService) -> None:
    daily = service.ask("what share of creators post to ripple every day")
    weekly = service.ask("what share of creators post to ripple every week")

    assert daily.abstained, daily.text
    assert "12%" not in daily.text
    assert "12%" in weekly.text


def test_a_clause_opening_on_a_pronoun_is_about_the_name_before(service: MuseService) -> None:
    answer = service.ask("how many total params does flint have")  # "params" clips "parameters"

    assert not answer.abstained, answer.text
    assert "400" in answer.text.splitlines()[0]


def test_a_qualifier_is_read_as_written_pros_are_no_pro_tier(service: MuseService) -> None:
    serving = service.ensure_ready()

    def role(question: str, word: str) -> str:
        focus = read_focus(question, idf=serving.term_stats.weight, lexicon=serving.index.lexicon)
        return next(t.role for t in focus.terms if t.word == word)

    assert role("how often does flint beat the pros", "pros") != "qualifier"
    assert role("what does the flint pro plan cost", "pro") == "qualifier"


SCORES = {
    "quiz-chart.md": """---
id: quiz-chart
title: "Where Spark stands on the quiz charts"
outlet: "Chart Desk"
published: 2026-05-12
---
## Scores

Spark ranks third on the QuizBench chart (score: 71), behind Glint 2.5 (74) and Ember 1.6 (73). It leads all
models on MedQuiz Hard (42.8) and on picture questions, but trails on coding.
Kestrel positions those QuizBench figures against Glint 2.5 Deep and Ember 1.6 Max, its rivals' heavy tiers.
Ember's maker has not published a MedQuiz Hard score for Ember 1.6.

## Puzzles

Glint 2.5 is the one to beat on puzzles. On the older PuzzleBench-1 it scored 93.0%, at $1.88 per task. Its
predecessor, Glint 2.0, had managed only 37.6% on PuzzleBench-2.

| Model | PuzzleBench-2 | QuizBench |
| --- | --- | --- |
| Glint 2.5 | 68.8 | 74.0 |
| Glint 2.0 | 37.6 | 61.0 |

## Newcomers

Glint's maker has not said which chips were used to train Glint 2.5, and declined to comment.
Glint 2.0 shipped a year before Glint 2.5. It is the first model its maker retrained, and it posted 55.1% on
PuzzleBench-3.
""",
}


def test_a_score_the_articles_say_was_not_published_is_an_abstention(corpus: Callable[[str], MuseService]) -> None:
    # The chart sentence names Ember 1.6 and MedQuiz Hard, but its figures are Spark's and QuizBench's.
    answer = corpus("scores").ask("ember 1.6 medquiz hard score?")

    assert answer.abstained, answer.text
    assert "not been made public" in answer.text


def test_a_thing_the_articles_say_was_not_named_is_an_abstention(corpus: Callable[[str], MuseService]) -> None:
    answer = corpus("scores").ask("what chips was glint 2.5 trained on")

    assert answer.abstained, answer.text
    assert "not been made public" in answer.text


def test_a_variant_the_articles_write_after_a_name_is_not_the_plain_model(corpus: Callable[[str], MuseService]) -> None:
    # "Glint 2.5 (74)" is the plain model's figure; the only sentence naming Glint 2.5 Deep states no figure: the
    # version in a name is none.
    answer = corpus("scores").ask("glint 2.5 deep quizbench score")

    assert answer.abstained, answer.text
    assert "74" not in answer.text
    plain = corpus("scores").ask("glint 2.5 quizbench score")
    assert not plain.abstained, plain.text
    assert "74" in plain.text


DATES = {
    "glint-launch.md": """---
id: glint-launch
title: "Halo introduces Glint"
outlet: "Wire Desk"
published: 2026-03-05
---
## The launch

Halo on Wednesday, March 4, introduced Glint, a reasoning model that reads text, pictures and voice and that the
company describes as the first of a new line of models. It is the first system to come out of Halo's new lab.
The lab has about 900 researchers.
""",
    "glint-opinion.md": """---
id: glint-opinion
title: "Halo's closed turn"
outlet: "Open Desk"
published: 2026-03-20
---
## Closed

When Halo released Glint on March 5, it did something its own engineers had long said it never would.
The weights stay on Halo's servers, and nobody outside can study them.
""",
    "halo-money.md": """---
id: halo-money
title: "Halo's spending on Glint"
outlet: "Money Desk"
published: 2026-02-10
---
## Capital

Halo plans to spend $40 billion on data centres for Glint this year, up from $25 billion.

## Scores

| Model | QuizBench |
| --- | --- |
| Glint | 71.2 |
| Ember 2 | 65.0 |

## People

The company hired 300 engineers for Glint in January and plans another 200 hires by the summer.

## Bonds

In March it sold $30 billion of bonds to pay for Glint's servers, and orders peaked near $120 billion.
""",
}


def test_another_articles_date_worded_far_from_the_answer_still_shows_the_difference(
    corpus: Callable[[str], MuseService],
) -> None:
    answer = corpus("dates").ask("what date did glint come out", top_k=1)  # one passage: the other is not read

    assert "The articles differ" in answer.text, answer.text
    assert "March 4" in answer.text
    assert "March 5" in answer.text


TABLES = {
    "bench-notes.md": """---
id: bench-notes
title: "Independent scores for Glint"
outlet: "Bench Notes"
published: 2026-05-02
---
## Independent scores

Vendor charts deserve doubt, so it helps that outsiders have started testing. Artificial Rulers ran its own
suite on the consumer model and on Ember 2 at its xhigh setting.

| Model | Coding Index | QuizBench |
| --- | --- | --- |
| Ember 2 (xhigh) | 59.1 | 70.2 |
| Glint | 47.5 | 66.0 |

## Modes

Glint also has a Contemplating mode, which runs several agents in parallel on one question.

## Speed

Glint's Brisk mode is the default, and it is fast. Across easy prompts it started answering in 1.4 seconds
on average, ahead of every rival we timed.
""",
    "effort-notes.md": """---
id: effort-notes
title: "Ember 2 at every effort"
outlet: "Effort Desk"
published: 2026-05-09
---
## Results

| Model (setting) | TermQuiz | Puzzle Arena |
| --- | --- | --- |
| Ember 2 (max effort) | 65.4 | 68.8 |
| Ember 2 (low effort) | 51.7 | 41.2 |
| Glint | 59.0 | 42.5 |

Ember 2 at max effort leads Glint by 6.4 points on TermQuiz.
""",
}


def test_a_setting_typed_beside_one_compared_model_is_that_ones(corpus: Callable[[str], MuseService]) -> None:
    answer = corpus("tables").ask("termquiz: ember 2 at max effort vs glint")

    assert "65.4" in answer.text, answer.text
    assert "59.0" in answer.text, answer.text
    assert "51.7" not in answer.text, answer.text


def test_a_mode_the_sentence_before_names_is_what_it_refers_to(corpus: Callable[[str], MuseService]) -> None:
    answer = corpus("tables").ask("how fast does brisk mode start answering on avg")

    assert not answer.abstained, answer.text
    assert "1.4 seconds" in answer.text


def test_a_name_in_the_second_sentence_of_a_unit_is_not_whose_figure_the_first_states(
    corpus: Callable[[str], MuseService],
) -> None:
    # "it scored 93.0%" is Glint 2.5's; Glint 2.0 is only named in the sentence after, with another benchmark.
    answer = corpus("scores").ask("glint 2.0 puzzlebench-1 score")

    assert answer.abstained, answer.text
    assert "93.0" not in answer.text
    assert "93.0" in corpus("scores").ask("glint 2.5 puzzlebench-1 score").text


def test_it_is_the_model_the_sentence_before_is_about_not_one_it_mentions(
    corpus: Callable[[str], MuseService],
) -> None:
    answer = corpus("scores").ask("glint 2.5 puzzlebench-3 score")

    assert answer.abstained, answer.text
    assert "55.1" not in answer.text
    assert "55.1" in corpus("scores").ask("glint 2.0 puzzlebench-3 score").text


MONEY = {
    "halo-capex.md": """---
id: halo-capex
title: "Halo's building bill"
outlet: "Build Desk"
published: 2026-04-01
---
## Guidance

Halo's guidance calls for $40 billion to $45 billion in capital expenditures in 2026, up from $25 billion in 2025.
""",
    "halo-results.md": """---
id: halo-results
title: "Halo's year in numbers"
outlet: "Ledger Desk"
published: 2026-02-01
---
## Results

Halo's revenue for 2025 came to $90 billion, up 20%, and the consensus forecast for 2026 is $110 billion.

## Hiring

Halo hired 300 engineers in January.
""",
    "halo-quarter.md": """---
id: halo-quarter
title: "Halo Q1 2026 call recap"
outlet: "Quarter Desk"
published: 2026-04-30
---
## The quarter in numbers

Sales came in at $31.2 billion, the fastest growth the company has posted since 2021. Memory chip prices rose
18% over the quarter, Halo said.

## The street

At Harbourline Securities, Naveen Kohli lifted his price target on Halo to $840.
""",
    "halo-channels.md": """---
id: halo-channels
title: "Halo API preview: the channels"
outlet: "Channel Desk"
published: 2026-04-02
---
## Access

Halo is available through two channels: the Halo app, free for everyone, and a private API preview for select
partners only, with paid API access planned for partners later.
""",
    "halo-partners.md": """---
id: halo-partners
title: "Inside the Halo API preview"
outlet: "Partner Desk"
published: 2026-04-03
---
## The first wave

Halo told us that about 40 partners were admitted in the first wave of the preview.
""",
    "halo-rivals.md": """---
id: halo-rivals
title: "How rivals read Halo"
outlet: "Rival Desk"
published: 2026-04-04
---
## Access

Halo launched with a private API preview for roughly 25 partners and no public pricing.
""",
    "halo-preview.html": """<html><head><title>Getting started with the Halo API preview</title></head><body><article>
<h1>Getting started with the Halo API preview</h1>
<p>Our application took eleven days to be approved. Limits are counted in requests per minute (RPM). Our client
hit the 60 RPM wall within an hour, and Halo Glasses (Gen 2) owners can call it too. The Halo Glasses (Gen 2)
cost $379.</p>
</article></body></html>
""",
}


def test_an_amount_of_another_quantity_is_no_rival(corpus: Callable[[str], MuseService]) -> None:
    answer = corpus("money").ask("how much is halo planning to spend on capex in 2026")

    assert "$40 billion to $45 billion" in answer.text, answer.text
    assert "The articles differ" not in answer.text  # revenue is not capital spending


def test_the_quarter_and_year_of_the_title_frame_a_sentence_that_states_no_other(
    corpus: Callable[[str], MuseService],
) -> None:
    answer = corpus("money").ask("halo q1 2026 sales")

    assert "$31.2 billion" in answer.text, answer.text
    for question in ("halo q3 2026 sales", "halo sales in q1 2024"):
        other = corpus("money").ask(question)
        assert other.abstained, (question, other.text)
        assert "$31.2 billion" not in other.text


def test_how_much_a_price_went_up_is_answered_by_a_share(corpus: Callable[[str], MuseService]) -> None:
    answer = corpus("money").ask("how much did halo's memory chip prices go up")

    assert not answer.abstained, answer.text
    assert "18%" in answer.text


def test_two_unknown_words_in_a_row_are_a_name_the_articles_never_mention(
    corpus: Callable[[str], MuseService],
) -> None:
    answer = corpus("money").ask("what price target did morgan stanley put on halo")

    assert answer.abstained, answer.text
    assert "$840" not in answer.text
    assert "$840" in corpus("money").ask("what price target did harbourline put on halo").text


def test_a_qualifier_of_the_title_frames_its_sentences(corpus: Callable[[str], MuseService]) -> None:
    answer = corpus("money").ask("how long did it take to get approved for the halo api preview")

    assert "eleven days" in answer.text, answer.text


def test_a_first_generation_is_not_the_second(corpus: Callable[[str], MuseService]) -> None:
    answer = corpus("money").ask("how much were the first generation halo glasses")

    assert answer.abstained, answer.text
    assert "$379" not in answer.text
    assert "$379" in corpus("money").ask("how much are the gen 2 halo glasses").text


def test_a_count_of_what_is_asked_beats_a_number_of_something_else(corpus: Callable[[str], MuseService]) -> None:
    answer = corpus("money").ask("how many partners are in the halo api preview")

    assert "40" in answer.text, answer.text
    assert "25" in answer.text, answer.text
    assert "two channels" not in answer.text  # its number counts channels, not partners


@pytest.fixture(scope="module")
def corpus(inline_service: Callable[[str, Mapping[str, str]], MuseService]) -> Callable[[str], MuseService]:
    """The service over one of this file's small corpora by name ("scores", "dates" …), built once."""
    corpora = {"scores": SCORES, "dates": DATES, "tables": TABLES, "money": MONEY}
    built: dict[str, MuseService] = {}

    def get(name: str) -> MuseService:
        if name not in built:
            built[name] = inline_service(name, corpora[name])
        return built[name]

    return get
