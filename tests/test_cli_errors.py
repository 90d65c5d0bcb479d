"""The CLI's one error root: a MusebotError is one line and exit 1; anything else is a bug and stays one."""

from __future__ import annotations

import argparse

import pytest

from bot import cli
from bot.cli import lookups
from bot.core.errors import MusebotError


def _raising(error: BaseException) -> object:
    def command(args: argparse.Namespace) -> int:
        raise error

    return command


def test_a_musebot_error_is_one_line_and_exit_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(lookups, "cmd_model", _raising(MusebotError("No model called 'x'; see: musebot model --help")))
    assert cli.main(["model", "x"]) == cli.EXIT_ERROR
    assert capsys.readouterr().err == "error: No model called 'x'; see: musebot model --help\n"


@pytest.mark.parametrize("bug", [KeyError("x"), IndexError("list index out of range"), LookupError("x")])
def test_a_lookup_error_from_a_bug_is_not_turned_into_a_message(
    monkeypatch: pytest.MonkeyPatch, bug: LookupError
) -> None:
    monkeypatch.setattr(lookups, "cmd_model", _raising(bug))
    with pytest.raises(type(bug)):
        cli.main(["model", "x"])
