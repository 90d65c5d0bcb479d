"""Markdown articles: YAML front matter for the fields, then the body (setext headings become ``#``)."""

from __future__ import annotations

import datetime as dt
import logging
import re

import yaml

from bot.core.corpus._text import _markdown_body, _parse_txt
from bot.core.corpus._validate import _HEADING_LINE_RE, ArticleError, _build_article
from bot.core.models import Article

log = logging.getLogger(__package__)  # one logger for the whole corpus reader, as before the split

_FRONT_MATTER_KEYS = frozenset({"id", "title", "outlet", "author", "url", "published"})
# Other names the same fields go by in static-site front matter (Jekyll, Hugo): the first one given wins.
_FRONT_MATTER_ALIASES = {
    "published": ("date", "published_at", "pubdate"),
    "url": ("link", "source_url", "canonical_url"),
    "outlet": ("publication", "publisher", "site"),
    "author": ("by", "byline"),
}
_URL_RE = re.compile(r"^https?://\S+$", re.IGNORECASE)


# ---------------------------------------------------------------------------------------------- Markdown


def _parse_markdown(text: str, name: str, source_path: str) -> Article:
    meta, body = _split_front_matter(text, name)
    if not meta:
        return _parse_txt(body, name, source_path, markdown=True)
    unknown = sorted(set(meta) - _FRONT_MATTER_KEYS - {a for names in _FRONT_MATTER_ALIASES.values() for a in names})
    if unknown:
        log.debug("%s: ignoring front matter keys %s", name, unknown)
    fields = {key: _front_matter_text(meta, key, name) for key in _FRONT_MATTER_KEYS}
    for key, aliases in _FRONT_MATTER_ALIASES.items():
        for alias in aliases:
            if not fields[key] and alias in meta:
                try:
                    fields[key] = _front_matter_text(meta, alias, name)
                except ArticleError:
                    log.debug("%s: ignoring front matter `%s`, which is not text", name, alias)  # "publisher: {…}"
    if not fields["url"] and isinstance(meta.get("source"), str) and _URL_RE.match(meta["source"].strip()):
        fields["url"] = meta["source"].strip()  # "source: https://…" is where it came from
    body = _markdown_body(body)
    title = fields["title"]
    if not title:
        first, _, rest = body.lstrip("\n").partition("\n")
        match = _HEADING_LINE_RE.match(first)
        if match and len(match.group(1)) == 1:
            title, body = match.group(2), rest
    return _build_article(
        name=name,
        source_path=source_path,
        title=title,
        body=body,
        outlet=fields["outlet"],
        author=fields["author"],
        url=fields["url"],
        published=fields["published"],
        article_id=fields["id"],
    )


def _split_front_matter(text: str, name: str) -> tuple[dict, str]:
    stripped = text.lstrip("\n")
    if not re.match(r"^---[ \t]*\n", stripped):
        return {}, text
    match = re.match(r"^---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|$)", stripped, re.DOTALL)
    if not match:
        raise ArticleError(name, "the front matter is not closed", "add a line with --- after the front matter")
    try:
        meta = yaml.safe_load(match.group(1))
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" (line {where.line + 2})" if where is not None else ""
        raise ArticleError(
            name, f"the front matter is not valid YAML{line}", "fix the YAML between the --- lines"
        ) from exc
    except (ValueError, OverflowError) as exc:  # a value YAML reads as a type it cannot build, e.g. 2026-13-45
        raise ArticleError(
            name,
            f"the front matter has a value that is not valid ({exc})",
            "fix it between the --- lines (dates are written 2026-04-08)",
        ) from exc
    except RecursionError as exc:
        raise ArticleError(
            name, "the front matter is nested too deeply", "write it as `key: value` lines between the --- lines"
        ) from exc
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise ArticleError(
            name,
            "the front matter is not a mapping",
            "write it as `key: value` lines (title:, outlet:, author:, url:, published:)",
        )
    return meta, stripped[match.end() :]


def _front_matter_text(meta: dict, key: str, name: str) -> str:
    value = meta.get(key)
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ArticleError(name, f"the front matter `{key}` is not text", f"write `{key}:` as a single line of text")
    return str(value).strip()
