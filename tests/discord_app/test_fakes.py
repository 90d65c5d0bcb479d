"""The Discord tests' FakeMuseService offers what MuseService offers, with the same signatures (MuseApi)."""

from __future__ import annotations

import inspect

import pytest

from bot.core.service import MuseApi, MuseService
from tests.discord_app.fakes import FakeMuseService


def _public_methods(cls: type) -> dict[str, inspect.Signature]:
    return {
        name: inspect.signature(member)
        for name, member in inspect.getmembers(cls, inspect.isfunction)
        if not name.startswith("_")
    }


API = _public_methods(MuseApi)


def test_the_api_lists_what_the_discord_side_calls() -> None:
    assert set(API) == {
        "ask", "benchmark_table", "model_table", "compare_models", "complete_names", "name_mentions", "embed_texts",
        "list_sources", "index_stats", "add_article_bytes", "remove_articles", "refresh_if_changed", "warm_up",
    }  # fmt: skip


@pytest.mark.parametrize("implementation", [MuseService, FakeMuseService])
@pytest.mark.parametrize("name", sorted(API))
def test_each_implementation_has_the_api_signature(implementation: type, name: str) -> None:
    assert _public_methods(implementation)[name] == API[name]


def test_the_fake_offers_nothing_the_real_service_lacks() -> None:
    assert set(_public_methods(FakeMuseService)) == set(API)
