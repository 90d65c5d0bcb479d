"""What `index add` must never do: lose an article the loader would skip, or publish a file through a link.

Real files and a real index in tmp folders; the fake embedder stands in for the model.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.core.corpus import is_article_file_name, load_corpus
from bot.core.errors import MusebotError
from tests.core.test_maintenance import WHATSAPP, WHATSAPP_ID, Workspace

README_ARTICLE = """---
id: readme-first
title: Read me first, Meta says of Muse Spark
outlet: Notes Weekly
---
Meta asked developers to read its Muse Spark guide before building on the model, a spokesperson said.
"""

SECRET = "api-token: s3cr3t-value-that-must-not-be-published\n\nThis line holds a token and nothing else here.\n"


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    workspace = Workspace(tmp_path)
    (workspace.corpus / "launch.md").write_text(
        "---\nid: launch\ntitle: Meta launches Muse Spark\n---\nMeta launched Muse Spark on April 8.\n",
        encoding="utf-8",
    )
    workspace.service.build_index()
    return workspace


# ---------------------------------------------------------------------------------------------
# 1. ids and file names that the loader skips


@pytest.mark.parametrize("name", ["readme-first.md", "README-2.md", "Readme.txt", "readme.md", "README.MD"])
def test_only_the_exact_notes_file_is_skipped_by_the_loader(tmp_path: Path, name: str) -> None:
    text = README_ARTICLE if name.lower().endswith(".md") else README_ARTICLE.split("---\n")[2]
    if not name.lower().endswith(".md"):
        text = "Read me first, Meta says of Muse Spark\n\n" + text
    (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "README.md").write_text("How to add articles.\n", encoding="utf-8")
    loaded = load_corpus(tmp_path)
    assert len(loaded.articles) == 1, name
    assert loaded.articles[0].title.startswith("Read me first")
    assert loaded.errors == ()


def test_an_article_whose_id_starts_with_readme_survives_add_and_reload(ws: Workspace) -> None:
    report = ws.service.add_articles([ws.write("notes.md", README_ARTICLE)])
    assert report.added == ("readme-first",)
    assert "readme-first.md" in ws.corpus_files()
    assert "readme-first" in ws.corpus_ids()  # the next load keeps it
    fresh = ws.new_service()
    assert "readme-first" in {row.id for row in fresh.list_articles()}
    assert fresh.verify_index().ok, fresh.verify_index().problems


@pytest.mark.parametrize(
    ("relative", "expected"),
    [
        ("readme-first.md", True),
        ("sub/readme.txt", True),
        ("README.md", False),
        ("sub/README.md", False),
        ("aliases.yaml", False),
        (".hidden.md", False),
        (".staging/x/a.md", False),
        ("notes.pdf", False),
    ],
)
def test_is_article_file_name(relative: str, expected: bool) -> None:
    assert is_article_file_name(relative) is expected


def test_a_folder_notes_file_is_not_added_as_an_article(ws: Workspace) -> None:
    ws.write("batch/whatsapp.md", WHATSAPP)
    ws.write("batch/README.md", "# How this folder was made\n\nThese articles were saved by hand on April 9.\n")
    report = ws.service.add_articles([ws.inbox / "batch"])
    assert report.added == (WHATSAPP_ID,)


# ---------------------------------------------------------------------------------------------
# 4. symbolic links in what is added


def test_a_link_out_of_the_added_folder_is_refused_and_nothing_changes(ws: Workspace, tmp_path: Path) -> None:
    secret = tmp_path / "private" / "token.txt"
    secret.parent.mkdir()
    secret.write_text(SECRET, encoding="utf-8")
    ws.write("batch/whatsapp.md", WHATSAPP)
    os.symlink(secret, ws.inbox / "batch" / "planted.txt")
    before = ws.state()
    with pytest.raises(MusebotError, match=r"planted\.txt is a symbolic link to .*token\.txt, outside the folder"):
        ws.service.add_articles([ws.inbox / "batch"])
    assert ws.state() == before
    assert all(b"s3cr3t" not in data for data in ws.corpus_files().values())


def test_a_linked_folder_out_of_the_added_folder_is_refused(ws: Workspace, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "token.md").write_text(SECRET, encoding="utf-8")
    ws.write("batch/whatsapp.md", WHATSAPP)
    os.symlink(outside, ws.inbox / "batch" / "more", target_is_directory=True)
    before = ws.state()
    with pytest.raises(MusebotError, match="outside the folder"):
        ws.service.add_articles([ws.inbox / "batch"])
    assert ws.state() == before


def test_a_link_that_stays_inside_the_folder_is_read_once_as_its_target(ws: Workspace) -> None:
    real = ws.write("batch/whatsapp.md", WHATSAPP)
    os.symlink(real, ws.inbox / "batch" / "alias.md")
    report = ws.service.add_articles([ws.inbox / "batch"])
    assert report.added == (WHATSAPP_ID,)


def test_a_link_given_as_a_file_is_refused(ws: Workspace, tmp_path: Path) -> None:
    secret = tmp_path / "token.txt"
    secret.write_text(SECRET, encoding="utf-8")
    link = ws.inbox / "article.txt"
    os.symlink(secret, link)
    before = ws.state()
    with pytest.raises(MusebotError, match=r"article\.txt is a symbolic link .*Give the file it points to"):
        ws.service.add_articles([link])
    assert ws.state() == before
