"""Bad input at the command line gets one clear line, never a traceback (issue 9, low items)."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from bot import cli
from bot.cli import output
from bot.config import load_query_settings, load_settings
from bot.core.corpus import parse_article
from bot.core.errors import MusebotError
from bot.core.index_store import read_current_build_id
from bot.core.models import Answer, Citation
from bot.core.service import check_question
from bot.core.text import remove_control_characters
from tests.core.test_readers_never_wait import lock_holder  # noqa: F401  (the fixture: a second process locks)
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
    output.print_error("No benchmark called '[/b]' in the articles\u202e; see: musebot benchmark --help")
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
        load_settings(env_file=None)


def test_a_valid_abstain_threshold_is_read_the_same_by_both_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MUSEBOT_ABSTAIN_THRESHOLD", "0.35")
    light, full = load_query_settings(), load_settings(env_file=None)
    assert light.answers.abstain_threshold == full.answers.abstain_threshold == 0.35


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
    output.print_answer(stream, answer)
    assert not set(DIRECTION_CONTROLS) & set(stream.getvalue())


def _musebot_bytes(shipped_index: tuple[Path, Path], *argv: str | bytes) -> subprocess.CompletedProcess[bytes]:
    """`python -m bot ...` with arguments passed as bytes, as a shell passes `$'\\xff'` (no text decoding here).

    The timeout only keeps a blocked command from hanging the suite (it then fails the test)."""
    corpus, index = shipped_index
    env = {**os.environ, "MUSEBOT_CORPUS_DIR": str(corpus), "MUSEBOT_INDEX_DIR": str(index), "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "bot", *argv], env=env, capture_output=True, timeout=300, check=False)


@pytest.mark.slow
def test_a_byte_that_is_not_utf8_in_a_question_is_read_as_a_replacement_character(
    shipped_index: tuple[Path, Path],
) -> None:
    asked = _musebot_bytes(shipped_index, "ask", b"\xff How did Muse Spark do on HealthBench Hard?", "--json")
    assert asked.returncode == 0, asked.stderr.decode("utf-8", "replace")
    answer = json.loads(asked.stdout.decode("utf-8"))
    assert answer["question"] == "\ufffd How did Muse Spark do on HealthBench Hard?"
    assert "42.8" in answer["text"]
    printed = _musebot_bytes(shipped_index, "ask", b"How did Muse Spark do on HealthBench Hard\xc3?")
    assert printed.returncode == 0, printed.stderr.decode("utf-8", "replace")
    assert "42.8" in printed.stdout.decode("utf-8")

    unreadable = _musebot_bytes(shipped_index, "ask", b"\xff\xfe \xc3")
    assert unreadable.returncode == cli.EXIT_ERROR
    err = unreadable.stderr.decode("utf-8")
    assert err == "error: That question is not readable text (its bytes are not UTF-8); type it again as UTF-8.\n"


def test_check_question_reads_undecodable_bytes_as_replacement_characters() -> None:
    assert check_question(" \udcff what did Muse Spark score\udcc3? ") == "\ufffd what did Muse Spark score\ufffd?"
    assert check_question("Muse Spark \ud800 launch") == "Muse Spark \ufffd launch"  # any lone surrogate
    with pytest.raises(MusebotError, match="not readable text"):
        check_question("\udcff \udcfe")


@pytest.mark.slow
@pytest.mark.parametrize("corpus_changed", [False, True])
def test_musebot_ask_answers_while_another_process_holds_the_corpus_lock(
    tmp_path: Path,
    shipped_index: tuple[Path, Path],
    lock_holder: Callable[[Path], None],  # noqa: F811
    corpus_changed: bool,
) -> None:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(shipped_index[0], corpus)
    shutil.copytree(shipped_index[1], index, symlinks=True)
    build = read_current_build_id(index)
    if corpus_changed:  # stale, as while a writer adds an article: served as built, not rebuilt
        (corpus / "whatsapp.md").write_text(
            "---\ntitle: Muse Spark reaches WhatsApp\n---\nMeta said Muse Spark will reach WhatsApp users soon.\n",
            encoding="utf-8",
        )
    lock_holder(index)
    asked = _musebot_bytes((corpus, index), "ask", "How did Muse Spark do on HealthBench Hard?", "--json")
    assert asked.returncode == 0, asked.stderr.decode("utf-8", "replace")
    answer = json.loads(asked.stdout)
    assert answer["build_id"] == build
    assert "42.8" in answer["text"]
    assert read_current_build_id(index) == build
