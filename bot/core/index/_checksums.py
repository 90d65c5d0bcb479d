"""SHA-256 checksums of the files of a build or a segment, and the check that names what changed."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

from bot.core.index._errors import damaged

MANIFEST_FILE = "manifest.json"
SEGMENT_FILE = "segment.json"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def build_file_checksums(folder: Path) -> dict[str, str]:
    """SHA-256 (hex) of every file in a folder but its manifest or segment.json, by relative posix path."""
    return {
        path.relative_to(folder).as_posix(): sha256_of(path)
        for path in sorted(Path(folder).rglob("*"))
        if path.is_file() and path.name not in {MANIFEST_FILE, SEGMENT_FILE}
    }


def check_files(index_dir: Path, build_id: str, path: Path, expected: object, *, prefix: str = "") -> None:
    """IndexDamagedError naming every file that is missing or differs from its checksum in `expected`.

    `prefix` is put before each name in the message (e.g. "segments/<id>/"); nothing to check without checksums.
    """
    if not isinstance(expected, Mapping):
        return
    bad: list[str] = []
    for name, checksum in sorted(expected.items()):
        try:
            if sha256_of(path / name) != checksum:
                bad.append(f"{prefix}{name} was changed")
        except OSError:
            bad.append(f"{prefix}{name} is missing")
    if bad:
        raise damaged(index_dir, build_id, f"{', '.join(bad)} since it was built")


def check_build_files(index_dir: Path, build_id: str, path: Path, manifest: Mapping[str, object]) -> None:
    """The files of a build folder (not its segments) against the checksums in its manifest."""
    check_files(index_dir, build_id, path, manifest.get("files"))
