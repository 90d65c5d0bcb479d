"""Bad input at the command line gets one clear line, never a traceback (issue 9, low items)."""

from __future__ import annotations

import io

import pytest

from bot import cli
from bot.core.corpus import parse_article
from bot.core.errors import MusebotError
from bot.core.models import Answer, Citation
from bot.core.text import remove_control_characters
from bot.query_settings import load_query_settings
from bot.settings import load_settings
from tests.test_maintenance_cli import dirs  # noqa: F401  (the fixture: a tiny built corpus, fake embedder)

DIRECTION_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


@pytest.mark.parametrize("name", ["[/b]", "[bold]x[/]", "[link=http://evil.example]y"])
def test_benchmark_names_are_not_read_as_markup(
    dirs: tuple[object, object],  # noqa: F811
    capsys: pytest.CaptureFixture[str],
    name: str,
) -> None:
    code = cli.main(["benchmark", name])
    err = capsys.readouterr().err
    assert code == cli.EXIT_ERROR  # no such benchmark: one line naming it as typed
    assert err.startswith("error: ")
    assert name in err
    assert len(err.strip().splitlines()) == 1


def test_error_lines_keep_user_text_as_written(capsys: pytest.CaptureFixture[str]) -> None:
    cli._print_error("No benchmark called '[/b]' in the articles\u202e; see: musebot benchmark --help")
    err = capsys.readouterr().err
    assert err == "error: No benchmark called '[/b]' in the articles; see: musebot benchmark --help\n"


@pytest.mark.parametrize("value", ["0", "21", "-3", "five"])
def test_a_bad_top_k_flag_names_the_flag(capsys: pytest.CaptureFixture[str], value: str) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["ask", "How did Muse Spark do?", "--top-k", value])
    assert exited.value.code == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert "argument --top-k: expected a whole number from 1 to 20" in err
    assert "MUSEBOT_TOP_K" not in err


@pytest.mark.parametrize("value", ["-1", "nan", "inf", "1.5"])
def test_an_abstain_threshold_outside_0_to_1_is_refused(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("MUSEBOT_ABSTAIN_THRESHOLD", value)
    with pytest.raises(MusebotError, match="MUSEBOT_ABSTAIN_THRESHOLD"):
        load_query_settings()
    with pytest.raises(MusebotError, match="MUSEBOT_ABSTAIN_THRESHOLD"):
        load_settings(_env_file=None)


def test_a_valid_abstain_threshold_is_read_the_same_by_both_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MUSEBOT_ABSTAIN_THRESHOLD", "0.35")
    assert load_query_settings().abstain_threshold == load_settings(_env_file=None).abstain_threshold == 0.35


def test_a_name_with_two_dots_that_is_not_a_folder_is_accepted() -> None:
    article = parse_article(b"Muse Spark review\n\nMeta launched Muse Spark on April 8.", "x..md")
    assert article.title == "Muse Spark review"


def test_direction_controls_are_stripped_from_titles_bodies_and_output() -> None:
    data = f"---\ntitle: Muse\u202e Spark{DIRECTION_CONTROLS}\n---\nMeta\u2066 launched it\u200f on April 8.\n"
    article = parse_article(data.encode(), "x.md")
    assert article.title == "Muse Spark"
    assert article.body == "Meta launched it on April 8."
    assert remove_control_characters(f"a{DIRECTION_CONTROLS}\u200b\x1b[31mb\tc\n") == "a[31mb\tc\n"
    citation = Citation(
        marker=1, article_id="a", chunk_id="a#0", title="T\u202eitle", outlet="O", url="", quote="q\u2067uote"
    )
    answer = Answer(question="q", text="Answer\u202e [1]", citations=(citation,), abstained=False)
    stream = io.StringIO()
    cli.print_answer(stream, answer)
    assert not set(DIRECTION_CONTROLS) & set(stream.getvalue())
