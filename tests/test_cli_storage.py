"""A full disk, a read-only index and a file where a folder should be: one line and exit 1, never a traceback,
and the build that served before still serves (issue 9, low items).

Real subprocesses with the real model. The faults come from a tiny `sitecustomize` on PYTHONPATH, written
for each test, that patches the process before musebot is imported: no root, no mount, no environment read.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.core.files import describe_storage_error, find_file_in_the_way

WHATSAPP = """---
id: whatsapp
title: Muse Spark reaches WhatsApp
outlet: Chat News
---
Meta said Muse Spark will reach WhatsApp and Instagram users in the coming weeks, starting in the United States.
"""
QUESTION = "How did Muse Spark do on HealthBench Hard?"

# Every durable write of a new build (or every one at all) fails as a full disk does.
FULL_DISK = """
import errno, os
import bot.core.files as files

_write_durably = files.write_durably


def write_durably(path, data):
    if {only_in!r} in str(path):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
    _write_durably(path, data)


files.write_durably = write_durably
"""

# Everything under ROOT is read-only, as on a read-only mount: reading works, any change is EROFS.
READ_ONLY = """
import builtins, errno, io, os

ROOT = {root!r}
_WRITES = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


def _inside(path):
    if isinstance(path, int):
        return False
    path = os.path.abspath(os.fsdecode(path))
    return path == ROOT or path.startswith(ROOT + os.sep)


def _guard(function, is_change):
    def guarded(path, *args, **kwargs):
        if _inside(path) and is_change(path, *args, **kwargs):
            if function is _mkdir and os.path.lexists(path):
                raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), os.fsdecode(path))
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), os.fsdecode(path))
        return function(path, *args, **kwargs)

    return guarded


_mkdir = os.mkdir
os.open = _guard(os.open, lambda path, flags, *args, **kwargs: flags & _WRITES)
builtins.open = io.open = _guard(io.open, lambda path, mode="r", *args, **kwargs: set(mode) & set("wax+"))
for name in ("mkdir", "unlink", "remove", "rmdir", "replace", "rename"):
    setattr(os, name, _guard(getattr(os, name), lambda *args, **kwargs: True))
"""

pytestmark = pytest.mark.slow


class Install:
    """A copy of the shipped corpus and its built index, and the musebot command run over them."""

    def __init__(self, base: Path, shipped_index: tuple[Path, Path]) -> None:
        self.corpus, self.index = base / "corpus", base / "index"
        shutil.copytree(shipped_index[0], self.corpus)
        shutil.copytree(shipped_index[1], self.index, symlinks=True)  # index/onnx: the session's one export
        self.inbox = base / "inbox"
        self.inbox.mkdir()
        (self.inbox / "whatsapp.md").write_text(WHATSAPP, encoding="utf-8")
        self.site = base / "site"
        self.env = {
            **os.environ, "MUSEBOT_CORPUS_DIR": str(self.corpus), "MUSEBOT_INDEX_DIR": str(self.index), "NO_COLOR": "1"
        }  # fmt: skip

    def inject(self, sitecustomize: str) -> dict[str, str]:
        """The environment of a process patched by `sitecustomize` before anything else runs."""
        self.site.mkdir(exist_ok=True)
        (self.site / "sitecustomize.py").write_text(sitecustomize, encoding="utf-8")
        return {**self.env, "PYTHONPATH": os.pathsep.join(filter(None, [str(self.site), os.environ.get("PYTHONPATH")]))}

    def musebot(self, *argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot", *argv],
            env=env or self.env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    def current_build(self) -> str:
        return (self.index / "CURRENT").read_text(encoding="ascii").strip()

    def state(self) -> tuple[str, list[str], list[str]]:
        """CURRENT, the files of corpus/ (hidden ones too) and the entries of index/builds/."""
        corpus = sorted(p.relative_to(self.corpus).as_posix() for p in self.corpus.rglob("*"))
        return self.current_build(), corpus, sorted(p.name for p in (self.index / "builds").iterdir())

    def assert_serves(self, build: str) -> None:
        asked = self.musebot("ask", QUESTION, "--json")
        assert asked.returncode == 0, asked.stderr
        answer = json.loads(asked.stdout)
        assert answer["build_id"] == build
        assert "42.8" in answer["text"]
        verified = self.musebot("index", "verify")
        assert verified.returncode == 0, verified.stdout


@pytest.fixture
def install(tmp_path: Path, shipped_index: tuple[Path, Path]) -> Install:
    return Install(tmp_path, shipped_index)


FIRST_BUILD_NOTICE = "Building the index from corpus/ now (once)."


def assert_one_line(result: subprocess.CompletedProcess[str], *expected: str) -> None:
    """Exit 1 and one error line (after the notice of a first build, if one was tried), never a traceback."""
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.strip().splitlines() if not line.endswith(FIRST_BUILD_NOTICE)]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    for text in expected:
        assert text in lines[0]


@pytest.mark.parametrize(
    ("only_in", "command", "full"),
    [
        (".partial", ("index", "add"), "index"),  # the disk fills while the new build is written
        ("", ("index", "add"), "corpus"),  # ... while the article is staged in corpus/
        (".partial", ("index", "build"), "index"),
    ],
)
def test_a_full_disk_is_one_line_and_the_previous_build_keeps_serving(
    install: Install, only_in: str, command: tuple[str, ...], full: str
) -> None:
    before = install.state()
    argv = (*command, str(install.inbox / "whatsapp.md")) if command[-1] == "add" else command
    result = install.musebot(*argv, env=install.inject(FULL_DISK.format(only_in=only_in)))
    assert_one_line(
        result,
        f"No space left on the disk that holds {getattr(install, full)}; free some space, then try again.",
        f"Nothing was changed: build {before[0]} still serves.",
    )
    assert install.state() == before  # nothing staged, half-built or journalled is left behind
    assert not (install.index / ".pending.json").exists()
    install.assert_serves(before[0])


def test_a_read_only_index_serves_and_refuses_changes_in_one_line(install: Install) -> None:
    before = install.state()
    read_only = install.inject(READ_ONLY.format(root=str(install.index)))

    asked = install.musebot("ask", QUESTION, "--json", env=read_only)
    assert asked.returncode == 0, asked.stderr
    assert json.loads(asked.stdout)["build_id"] == before[0]
    assert asked.stderr == ""
    for argv in (("index", "add", str(install.inbox / "whatsapp.md")), ("index", "build")):
        assert_one_line(
            install.musebot(*argv, env=read_only),
            f"{install.index} is on a read-only file system; make it writable or use another index folder",
            f"Nothing was changed: build {before[0]} still serves.",
        )
    shutil.copy(install.inbox / "whatsapp.md", install.corpus)  # corpus/ changed: the index cannot follow
    stale = install.musebot("ask", QUESTION, "--json", env=read_only)
    assert stale.returncode == 0, stale.stderr
    assert json.loads(stale.stdout)["build_id"] == before[0]
    assert "corpus/ changed, but the index cannot be updated" in stale.stderr
    assert "Traceback" not in stale.stderr
    (install.corpus / "whatsapp.md").unlink()
    assert install.state() == before
    install.assert_serves(before[0])


@pytest.mark.parametrize("blocked", ["index", "index/builds"])
@pytest.mark.parametrize(
    "argv", [("ask", QUESTION), ("index", "build"), ("index", "add", "WHATSAPP"), ("benchmark", "hb hard")]
)
def test_a_file_where_the_index_folder_should_be_is_one_line(
    tmp_path: Path, install: Install, blocked: str, argv: tuple[str, ...]
) -> None:
    in_the_way = tmp_path / "fresh" / blocked
    in_the_way.parent.mkdir(parents=True, exist_ok=True)
    in_the_way.write_text("not a folder\n", encoding="utf-8")
    if in_the_way.parent.name == "index":  # the model's export is there already, as after any first run
        (in_the_way.parent / "onnx").symlink_to((install.index / "onnx").resolve())
    argv = tuple(str(install.inbox / "whatsapp.md") if arg == "WHATSAPP" else arg for arg in argv)
    result = install.musebot(*argv, env={**install.env, "MUSEBOT_INDEX_DIR": str(tmp_path / "fresh" / "index")})
    assert_one_line(
        result, f"{in_the_way} is a file, not a folder; move it away or use another index folder (--index-dir"
    )
    assert in_the_way.read_text(encoding="utf-8") == "not a folder\n"


def _error(code: int, filename: Path | None = None) -> OSError:
    return OSError(code, os.strerror(code), None if filename is None else str(filename))


def test_storage_errors_are_described_and_bugs_are_not(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    folder, elsewhere = tmp_path, "another index folder (--index-dir)"
    assert describe_storage_error(_error(errno.EDQUOT), folder, elsewhere) == (
        f"No space left on the disk that holds {tmp_path}; free some space, then try again."
    )
    assert describe_storage_error(_error(errno.EACCES, tmp_path / ".lock"), folder, elsewhere) == (
        f"No permission to write {tmp_path / '.lock'}; give this user write access or use another index folder "
        "(--index-dir), then try again."
    )
    assert describe_storage_error(_error(errno.EISDIR, tmp_path), folder, elsewhere) == (
        f"{tmp_path} is a folder where musebot keeps a file; move it away or use another index folder (--index-dir), "
        "then try again."
    )
    assert find_file_in_the_way(tmp_path / "file" / "onnx" / "x.json") == tmp_path / "file"
    assert find_file_in_the_way(tmp_path / "missing" / "x") is None
    # Not about the storage: a bug, left as it is.
    assert describe_storage_error(_error(errno.ENOENT, tmp_path / "gone"), folder, elsewhere) is None
    assert describe_storage_error(_error(errno.EEXIST, tmp_path), folder, elsewhere) is None  # a folder: a bug
    assert describe_storage_error(_error(errno.EINVAL), folder, elsewhere) is None
