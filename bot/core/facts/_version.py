"""Which fact reader wrote a build's facts: a digest of the code that decides what extraction yields, and of the
alias files. Standard library and the alias reader only, so a serving process can check it without importing
the extractor (a cold start imports the extractor only when an index is built)."""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Mapping
from pathlib import Path

from bot.core.aliases import AliasMap, load_default_aliases, merge_alias_maps
from bot.core.files import digest_of_files

FACTS_SCHEMA_VERSION = 1
_PACKAGE = Path(__file__).parent
# The name and text helpers extraction reads with, beside every module of this package.
_HELPERS = ("names", "aliases", "text", "chunking")


def extraction_sources() -> tuple[Path, ...]:
    """The source files whose code decides what extraction yields: every module of this package (so a new
    module is covered without a list to keep up), and the name and text helpers it reads with."""
    package = sorted(_PACKAGE.glob("*.py"))
    return (*package, *(_PACKAGE.parent / f"{helper}.py" for helper in _HELPERS))


@functools.cache
def source_digest() -> str:
    sources = extraction_sources()
    # The package's own source not readable: never reuse (a None adds random bytes).
    own = [] if any(path.parent == _PACKAGE for path in sources) else [None]
    return digest_of_files([*own, *sources])


def version_of(alias_map: Mapping[str, object]) -> str:
    """Changes with this code (and the modules it reads text with) or the aliases: saved raw facts are then stale."""
    aliases = json.dumps(alias_map, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(f"{FACTS_SCHEMA_VERSION}\n{source_digest()}\n{aliases}".encode()).hexdigest()[:16]


def extraction_version(aliases: AliasMap | None = None) -> str:
    """The version an extraction with the corpus's ``aliases`` (beside the shipped ones) writes into its state."""
    return version_of(merge_alias_maps(load_default_aliases(), aliases))
