"""Test driver: one re-index in its own process, with the fake embedder, stopping where a test wants to kill it.

    python tests/maintenance_driver.py CORPUS_DIR INDEX_DIR add PATH... | remove ID...

Environment (test-only; production code has no such hooks):
  DRIVER_PAUSE_AT      embed | swap | apply: on reaching that point, write DRIVER_PAUSE_FILE and sleep,
                       so the test can SIGKILL the process exactly there.
                         embed  while the new chunks are being embedded
                         swap   the new build is complete, CURRENT not yet moved to it
                         apply  CURRENT moved, corpus/ not yet changed
  DRIVER_PAUSE_FILE    the file to write when paused
  DRIVER_EMBED_DELAY   seconds to sleep in each embed call (to overlap two processes)

Prints the ChangeReport as one JSON line.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.core import maintenance
from bot.core.embedding import HashingEmbedder
from bot.core.index import _layout
from bot.core.service import MuseService, ServiceConfig

PAUSE_AT = os.environ.get("DRIVER_PAUSE_AT", "")


def pause_here(point: str) -> None:
    if point != PAUSE_AT:
        return
    Path(os.environ["DRIVER_PAUSE_FILE"]).write_text(str(os.getpid()))
    while True:
        time.sleep(60)


class DriverEmbedder(HashingEmbedder):
    def embed(self, texts, *, batch_size=32, progress=None):  # type: ignore[no-untyped-def]
        if texts:
            time.sleep(float(os.environ.get("DRIVER_EMBED_DELAY", "0")))
            pause_here("embed")
        return super().embed(texts, batch_size=batch_size, progress=progress)


def main(argv: list[str]) -> int:
    corpus_dir, index_dir, action, *rest = argv
    real_write_current = _layout.write_current
    real_apply = maintenance._journal._apply_journal

    def write_current(*args, **kwargs):  # type: ignore[no-untyped-def]
        pause_here("swap")
        return real_write_current(*args, **kwargs)

    def apply_journal(*args, **kwargs):  # type: ignore[no-untyped-def]
        pause_here("apply")
        return real_apply(*args, **kwargs)

    _layout.write_current = write_current
    maintenance._journal._apply_journal = apply_journal
    service = MuseService(
        ServiceConfig(corpus_dir=Path(corpus_dir), index_dir=Path(index_dir)), embedder_factory=DriverEmbedder
    )
    report = service.add_articles([Path(p) for p in rest]) if action == "add" else service.remove_articles(rest)
    print(json.dumps(dataclasses.asdict(report)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
