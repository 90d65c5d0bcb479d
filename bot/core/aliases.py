"""Alias files: the shipped bot/data/aliases.yaml and a corpus's own aliases.yaml, read and merged.

models:
  "Claude Opus 4.6": ["Opus 4.6", "opus"]
benchmarks:
  "HealthBench Hard": ["hb hard"]
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path

import yaml

log = logging.getLogger(__name__)

AliasMap = Mapping[str, Mapping[str, Sequence[str]]]  # {"models": {canonical: [alias, ...]}, "benchmarks": {...}}


def default_alias_path() -> Path:
    return Path(str(resources.files("bot.data").joinpath("aliases.yaml")))


def load_alias_file(path: Path) -> dict[str, dict[str, list[str]]]:
    """Read an aliases.yaml (``models:`` / ``benchmarks:`` mapping a canonical name to its aliases).

    A missing file is no aliases; a malformed one raises ``ValueError`` naming the file.
    """
    path = Path(path)
    if not path.is_file():
        return {"models": {}, "benchmarks": {}}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: not valid YAML ({exc}); fix the file or remove it") from exc
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected 'models:' and 'benchmarks:' mappings at the top level")
    out: dict[str, dict[str, list[str]]] = {"models": {}, "benchmarks": {}}
    for section in ("models", "benchmarks"):
        entries = data.get(section) or {}
        if not isinstance(entries, dict):
            raise ValueError(f"{path}: '{section}:' must map a name to a list of aliases")
        for canonical, aliases in entries.items():
            if isinstance(aliases, str):
                aliases = [aliases]
            if not isinstance(aliases, list) or not all(isinstance(a, str | int | float) for a in aliases):
                raise ValueError(f"{path}: the aliases of '{canonical}' must be a list of names")
            out[section][str(canonical)] = [str(a) for a in aliases]
    return out


def load_default_aliases() -> dict[str, dict[str, list[str]]]:
    """The shipped ``bot/data/aliases.yaml`` (read once; each call returns a fresh copy)."""
    return merge_alias_maps(_read_default_aliases())


@functools.lru_cache(maxsize=1)
def _read_default_aliases() -> dict[str, dict[str, list[str]]]:
    return load_alias_file(default_alias_path())


def load_corpus_aliases(corpus_dir: Path) -> dict[str, dict[str, list[str]]] | None:
    """``<corpus_dir>/aliases.yaml`` when present (maintainers' additions for their corpus), else None."""
    path = Path(corpus_dir) / "aliases.yaml"
    return load_alias_file(path) if path.is_file() else None


def merge_alias_maps(*maps: AliasMap | None) -> dict[str, dict[str, list[str]]]:
    out: dict[str, dict[str, list[str]]] = {"models": {}, "benchmarks": {}}
    for mapping in maps:
        if not mapping:
            continue
        for section in ("models", "benchmarks"):
            for canonical, aliases in (mapping.get(section) or {}).items():
                out[section].setdefault(canonical, []).extend(aliases)
    return out
