"""The request bodies the bot may send, checked against the shapes and limits of Discord's published API spec.

The facts come from discord/discord-api-spec (`specs/openapi.json`, API v10): the request schemas of the
routes the bot uses. Where the spec is silent or narrower than what Discord documents and accepts, the
difference is named next to the rule:
- snowflakes may be JSON integers as well as strings (discord.py sends `message_reference.message_id` as an
  integer; Discord accepts it);
- permission bit sets may be decimal strings (the spec says integer; the developer docs and discord.py use
  strings);
- a command's `nsfw` flag is documented but missing from the spec's request schema;
- discord.py sends an embed's `flags` (0) back with it, and `tts: false` with an UPDATE_MESSAGE callback and
  with an edit of an interaction message; the spec lists neither there and Discord ignores both;
- embed field names and values must not be empty, and the embeds of one message hold at most 6000 characters
  in all (documented limits the spec does not express).

Every object is closed: a key the spec does not list is a violation, so a misspelt field fails the test
instead of being silently dropped by Discord. `check_request(method, route, body)` returns the problems.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

Problems = Iterator[str]
Schema = Callable[[Any, str], Problems]

_SNOWFLAKE_RE = re.compile(r"^(0|[1-9][0-9]*)$")
_DATETIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")
_INT53 = 9007199254740991
_PERMISSIONS_MAX = 18014398509481983


# Combinators ---------------------------------------------------------------------------------------------


def string(*, min_length: int = 0, max_length: int | None = None, choices: tuple[str, ...] = ()) -> Schema:
    def check(value: Any, path: str) -> Problems:
        if not isinstance(value, str):
            yield f"{path}: expected a string, got {type(value).__name__}"
            return
        if len(value) < min_length:
            yield f"{path}: shorter than {min_length} characters"
        if max_length is not None and len(value) > max_length:
            yield f"{path}: {len(value)} characters, more than {max_length}"
        if choices and value not in choices:
            yield f"{path}: {value!r} is not one of {choices}"

    return check


def integer(*, minimum: int | None = None, maximum: int | None = None, choices: tuple[int, ...] = ()) -> Schema:
    def check(value: Any, path: str) -> Problems:
        if isinstance(value, bool) or not isinstance(value, int):
            yield f"{path}: expected an integer, got {type(value).__name__}"
            return
        if minimum is not None and value < minimum:
            yield f"{path}: {value} is below {minimum}"
        if maximum is not None and value > maximum:
            yield f"{path}: {value} is above {maximum}"
        if choices and value not in choices:
            yield f"{path}: {value} is not one of {choices}"

    return check


def number() -> Schema:
    def check(value: Any, path: str) -> Problems:
        if isinstance(value, bool) or not isinstance(value, int | float):
            yield f"{path}: expected a number, got {type(value).__name__}"

    return check


def boolean() -> Schema:
    def check(value: Any, path: str) -> Problems:
        if not isinstance(value, bool):
            yield f"{path}: expected a boolean, got {type(value).__name__}"

    return check


def false(value: Any, path: str) -> Problems:
    if value is not False:
        yield f"{path}: only false is accepted here, got {value!r}"


def snowflake(value: Any, path: str) -> Problems:
    if isinstance(value, int) and not isinstance(value, bool):  # Discord accepts integers (see the docstring)
        value = str(value)
    if not isinstance(value, str) or not _SNOWFLAKE_RE.match(value):
        yield f"{path}: {value!r} is not a snowflake"


def permissions(value: Any, path: str) -> Problems:
    if isinstance(value, str) and value.isdigit():  # documented as a string (see the docstring)
        value = int(value)
    yield from integer(minimum=0, maximum=_PERMISSIONS_MAX)(value, path)


def uri(max_length: int) -> Schema:
    text = string(max_length=max_length)

    def check(value: Any, path: str) -> Problems:
        problems = list(text(value, path))
        if problems:
            yield from problems
        elif not re.match(r"^[a-z][a-z0-9+.-]*:", value, re.IGNORECASE):
            yield f"{path}: {value!r} is not a URI"

    return check


def date_time(value: Any, path: str) -> Problems:
    if not isinstance(value, str) or not _DATETIME_RE.match(value):
        yield f"{path}: {value!r} is not a date-time"


def nullable(schema: Schema) -> Schema:
    def check(value: Any, path: str) -> Problems:
        if value is not None:
            yield from schema(value, path)

    return check


def array(item: Schema, *, min_items: int = 0, max_items: int | None = None, unique: bool = False) -> Schema:
    def check(value: Any, path: str) -> Problems:
        if not isinstance(value, list):
            yield f"{path}: expected an array, got {type(value).__name__}"
            return
        if len(value) < min_items:
            yield f"{path}: fewer than {min_items} items"
        if max_items is not None and len(value) > max_items:
            yield f"{path}: {len(value)} items, more than {max_items}"
        if unique and len({repr(entry) for entry in value}) != len(value):
            yield f"{path}: items are not unique"
        for index, entry in enumerate(value):
            yield from item(entry, f"{path}[{index}]")

    return check


def mapping(value_schema: Schema, *, max_properties: int) -> Schema:
    def check(value: Any, path: str) -> Problems:
        if not isinstance(value, dict):
            yield f"{path}: expected an object, got {type(value).__name__}"
            return
        if len(value) > max_properties:
            yield f"{path}: more than {max_properties} entries"
        for key, entry in value.items():
            yield from value_schema(entry, f"{path}.{key}")

    return check


def obj(fields: Mapping[str, Schema], *, required: tuple[str, ...] = ()) -> Schema:
    def check(value: Any, path: str) -> Problems:
        if not isinstance(value, dict):
            yield f"{path}: expected an object, got {type(value).__name__}"
            return
        for name in required:
            if name not in value:
                yield f"{path}.{name}: required"
        for name, entry in value.items():
            schema = fields.get(name)
            if schema is None:
                yield f"{path}.{name}: not a field of this object in Discord's API"
            else:
                yield from schema(entry, f"{path}.{name}")

    return check


def tagged(tag: str, variants: Mapping[Any, Schema]) -> Schema:
    """A union told apart by one field's value (`type` for callbacks, components and options)."""

    def check(value: Any, path: str) -> Problems:
        if not isinstance(value, dict):
            yield f"{path}: expected an object, got {type(value).__name__}"
            return
        schema = variants.get(value.get(tag))
        if schema is None:
            yield f"{path}.{tag}: {value.get(tag)!r} is not one of {tuple(variants)}"
        else:
            yield from schema(value, path)

    return check


def any_of(*schemas: Schema) -> Schema:
    def check(value: Any, path: str) -> Problems:
        results = [list(schema(value, path)) for schema in schemas]
        if all(results):
            yield from min(results, key=len)

    return check


def both(first: Schema, second: Schema) -> Schema:
    def check(value: Any, path: str) -> Problems:
        problems = list(first(value, path))
        yield from problems
        if not problems:
            yield from second(value, path)

    return check


# Embeds, mentions, components --------------------------------------------------------------------------

_EMBED_MEDIA = obj(
    {
        "url": nullable(uri(2048)),
        "width": nullable(integer()),
        "height": nullable(integer()),
        "placeholder": nullable(string(max_length=64)),
        "placeholder_version": nullable(integer(minimum=0, maximum=2147483647)),
        "is_animated": nullable(boolean()),
        "description": nullable(string(max_length=4096)),
    }
)
EMBED = obj(
    {
        "type": nullable(string(max_length=152133)),
        "url": nullable(uri(2048)),
        "title": nullable(string(max_length=256)),
        "color": nullable(integer(minimum=0, maximum=16777215)),
        "timestamp": nullable(date_time),
        "description": nullable(string(max_length=4096)),
        "author": nullable(
            obj(
                {
                    "name": nullable(string(max_length=256)),
                    "url": nullable(uri(2048)),
                    "icon_url": nullable(uri(2048)),
                }
            )
        ),
        "image": nullable(_EMBED_MEDIA),
        "thumbnail": nullable(_EMBED_MEDIA),
        "video": nullable(_EMBED_MEDIA),
        "footer": nullable(obj({"text": nullable(string(max_length=2048)), "icon_url": nullable(uri(2048))})),
        "fields": nullable(
            array(
                obj(
                    {
                        # min_length 1: documented, not in the spec.
                        "name": string(min_length=1, max_length=256),
                        "value": string(min_length=1, max_length=1024),
                        "inline": nullable(boolean()),
                    },
                    required=("name", "value"),
                ),
                max_items=25,
            )
        ),
        "provider": nullable(obj({"name": nullable(string(max_length=256)), "url": nullable(uri(2048))})),
        "flags": nullable(integer(minimum=0)),  # see the docstring
    }
)

EMBEDS_TOTAL_LIMIT = 6000


def embed_length(embed: dict[str, Any]) -> int:
    """The characters Discord counts towards the 6000 per message: title, description, fields, footer, author."""
    total = len(embed.get("title") or "") + len(embed.get("description") or "")
    total += sum(len(item.get("name") or "") + len(item.get("value") or "") for item in embed.get("fields") or [])
    total += len((embed.get("footer") or {}).get("text") or "") + len((embed.get("author") or {}).get("name") or "")
    return total


def _embeds_within_total(value: Any, path: str) -> Problems:
    total = sum(embed_length(embed) for embed in value or [])
    if total > EMBEDS_TOTAL_LIMIT:
        yield f"{path}: {total} characters in all, more than {EMBEDS_TOTAL_LIMIT}"


EMBEDS = nullable(both(array(EMBED, max_items=10), _embeds_within_total))

ALLOWED_MENTIONS = obj(
    {
        "parse": nullable(array(nullable(string(choices=("users", "roles", "everyone"))), max_items=1521, unique=True)),
        "users": nullable(array(nullable(snowflake), max_items=100, unique=True)),
        "roles": nullable(array(nullable(snowflake), max_items=100, unique=True)),
        "replied_user": nullable(boolean()),
    }
)

_BUTTON = obj(
    {
        "type": integer(choices=(2,)),
        "id": nullable(integer(minimum=0)),
        "custom_id": nullable(string(min_length=1, max_length=100)),
        "style": integer(choices=(1, 2, 3, 4, 5, 6)),
        "label": nullable(string(max_length=80)),
        "disabled": nullable(boolean()),
        "url": nullable(uri(512)),
        "sku_id": nullable(snowflake),
        "emoji": nullable(obj({"id": nullable(snowflake), "name": string(max_length=32)}, required=("name",))),
    },
    required=("type", "style"),
)
# The bot sends action rows of buttons only; other component types are not modelled and so fail.
_ACTION_ROW = obj(
    {
        "type": integer(choices=(1,)),
        "id": nullable(integer(minimum=0)),
        "components": array(tagged("type", {2: _BUTTON}), min_items=1, max_items=5),
    },
    required=("type", "components"),
)


def _component_rules(value: Any, path: str) -> Problems:
    """What Discord checks beyond the shapes: a link button has a url and no custom_id, any other button the
    reverse; custom ids are unique within one message."""
    seen: set[str] = set()
    for r, row in enumerate(value or []):
        for c, button in enumerate(row.get("components") or []):
            where = f"{path}[{r}].components[{c}]"
            is_link = button.get("style") == 5
            if is_link and (button.get("custom_id") or not button.get("url")):
                yield f"{where}: a link button has a url and no custom_id"
            if not is_link and button.get("style") != 6 and not button.get("custom_id"):
                yield f"{where}: a button needs a custom_id"
            if not is_link and button.get("url"):
                yield f"{where}: only a link button has a url"
            if not (button.get("label") or button.get("emoji")):
                yield f"{where}: a button needs a label or an emoji"
            custom_id = button.get("custom_id")
            if custom_id in seen:
                yield f"{where}: custom_id {custom_id!r} is used twice in this message"
            if custom_id:
                seen.add(custom_id)


COMPONENTS = nullable(both(array(tagged("type", {1: _ACTION_ROW}), max_items=40), _component_rules))

# Modals (interaction callback type 9): text inputs, each in a label (type 18) or, the older way, an action row.
_TEXT_INPUT_FIELDS: dict[str, Schema] = {
    "type": integer(choices=(4,)),
    "id": nullable(integer(minimum=0)),
    "custom_id": string(min_length=1, max_length=100),
    "style": integer(choices=(1, 2)),
    "min_length": nullable(integer(minimum=0, maximum=4000)),
    "max_length": nullable(integer(minimum=1, maximum=4000)),
    "required": nullable(boolean()),
    "value": nullable(string(max_length=4000)),
    "placeholder": nullable(string(max_length=100)),
}
# Inside a label the text input has no label of its own (discord.py sends it as null).
_TEXT_INPUT_IN_LABEL = obj({**_TEXT_INPUT_FIELDS, "label": nullable(string(max_length=0))},
                           required=("type", "custom_id", "style"))  # fmt: skip
_TEXT_INPUT_IN_ROW = obj({**_TEXT_INPUT_FIELDS, "label": string(min_length=1, max_length=45)},
                         required=("type", "custom_id", "style", "label"))  # fmt: skip
_MODAL_COMPONENT = tagged(
    "type",
    {
        18: obj(
            {
                "type": integer(choices=(18,)),
                "id": nullable(integer(minimum=0)),
                "label": string(min_length=1, max_length=45),
                "description": nullable(string(max_length=100)),
                "component": tagged("type", {4: _TEXT_INPUT_IN_LABEL}),
            },
            required=("type", "label", "component"),
        ),
        1: obj(
            {
                "type": integer(choices=(1,)),
                "id": nullable(integer(minimum=0)),
                "components": array(tagged("type", {4: _TEXT_INPUT_IN_ROW}), min_items=1, max_items=1),
            },
            required=("type", "components"),
        ),
    },
)


def _modal_rules(value: Any, path: str) -> Problems:
    ids = [
        (component.get("component") or (component.get("components") or [{}])[0]).get("custom_id")
        for component in value.get("components") or []
    ]
    if len(set(ids)) != len(ids):
        yield f"{path}.components: custom ids are not unique"
    for index, component in enumerate(value.get("components") or []):
        text_input = component.get("component") or (component.get("components") or [{}])[0]
        low, high = text_input.get("min_length") or 0, text_input.get("max_length") or 4000
        if low > high:
            yield f"{path}.components[{index}]: min_length {low} is above max_length {high}"


MODAL = both(
    obj(
        {
            "custom_id": string(min_length=1, max_length=100),
            "title": string(min_length=1, max_length=45),
            "components": array(_MODAL_COMPONENT, min_items=1, max_items=5),
        },
        required=("custom_id", "title", "components"),
    ),
    _modal_rules,
)

_ATTACHMENT = obj(
    {
        "id": snowflake,
        "filename": nullable(string(min_length=1, max_length=1024)),
        "description": nullable(string(max_length=1024)),
        "duration_secs": nullable(number()),
        "waveform": nullable(string(max_length=400)),
        "title": nullable(string(max_length=1024)),
        "is_spoiler": nullable(boolean()),
        "is_remix": nullable(boolean()),
    },
    required=("id",),
)
ATTACHMENTS = nullable(array(_ATTACHMENT, max_items=10))

_MESSAGE_BASE: dict[str, Schema] = {
    "content": nullable(string(max_length=2000)),
    "embeds": EMBEDS,
    "allowed_mentions": nullable(ALLOWED_MENTIONS),
    "components": COMPONENTS,
    "attachments": ATTACHMENTS,
    "flags": nullable(integer()),
}

# Interaction callbacks (POST /interactions/{id}/{token}/callback) ---------------------------------------

_CHOICE_NAME = string(min_length=1, max_length=100)
_CHOICE_NAMES = nullable(mapping(string(min_length=1, max_length=100), max_properties=34))
_CHOICE = any_of(
    obj({"name": _CHOICE_NAME, "name_localizations": _CHOICE_NAMES, "value": string(max_length=6000)},
        required=("name", "value")),
    obj({"name": _CHOICE_NAME, "name_localizations": _CHOICE_NAMES, "value": integer(minimum=-_INT53, maximum=_INT53)},
        required=("name", "value")),
    obj({"name": _CHOICE_NAME, "name_localizations": _CHOICE_NAMES, "value": number()}, required=("name", "value")),
)  # fmt: skip

INTERACTION_CALLBACK = tagged(
    "type",
    {
        1: obj({"type": integer()}, required=("type",)),
        4: obj({"type": integer(), "data": nullable(obj({**_MESSAGE_BASE, "tts": nullable(boolean())}))},
               required=("type",)),
        5: obj({"type": integer(), "data": nullable(obj({**_MESSAGE_BASE, "tts": nullable(boolean())}))},
               required=("type",)),
        6: obj({"type": integer(), "data": nullable(obj(_MESSAGE_BASE))}, required=("type",)),
        7: obj({"type": integer(), "data": nullable(obj({**_MESSAGE_BASE, "tts": nullable(false)}))},
               required=("type",)),  # tts: see the docstring
        8: obj({"type": integer(), "data": obj({"choices": nullable(array(nullable(_CHOICE), max_items=25))})},
               required=("type", "data")),
        9: obj({"type": integer(), "data": MODAL}, required=("type", "data")),
    },
)  # fmt: skip

# Webhooks: follow-ups (execute) and edits of interaction messages ----------------------------------------

WEBHOOK_EXECUTE = obj(
    {
        **_MESSAGE_BASE,
        "tts": nullable(boolean()),
        "username": nullable(string(min_length=1, max_length=80)),
        "avatar_url": nullable(uri(2048)),
        "thread_name": nullable(string(max_length=100)),
        "applied_tags": nullable(array(snowflake, max_items=5)),
    }
)
WEBHOOK_EDIT = obj({**_MESSAGE_BASE, "tts": nullable(false)})  # tts: see the docstring

# Channel messages ------------------------------------------------------------------------------------

MESSAGE_CREATE = obj(
    {
        **_MESSAGE_BASE,
        "content": nullable(string(max_length=4000)),
        "sticker_ids": nullable(array(snowflake, max_items=3)),
        "message_reference": nullable(
            obj(
                {
                    "guild_id": nullable(snowflake),
                    "channel_id": nullable(snowflake),
                    "message_id": snowflake,
                    "fail_if_not_exists": nullable(boolean()),
                    "type": nullable(integer(choices=(0,))),
                },
                required=("message_id",),
            )
        ),
        "nonce": nullable(any_of(integer(), string(max_length=25))),
        "enforce_nonce": nullable(boolean()),
        "tts": nullable(boolean()),
    }
)

# Command overwrite (PUT /applications/{id}[/guilds/{id}]/commands) -------------------------------------

_LOCALISED_NAMES = nullable(mapping(string(min_length=1, max_length=32), max_properties=34))
_LOCALISED_DESCRIPTIONS = nullable(mapping(string(min_length=1, max_length=100), max_properties=34))
_OPTION_BASE: dict[str, Schema] = {
    "type": integer(),
    "name": string(min_length=1, max_length=32),
    "name_localizations": _LOCALISED_NAMES,
    "description": string(min_length=1, max_length=100),
    "description_localizations": _LOCALISED_DESCRIPTIONS,
    "required": nullable(boolean()),
}
_OPTION_REQUIRED = ("type", "name", "description")


def _option(**extra: Schema) -> Schema:
    return obj({**_OPTION_BASE, **extra}, required=_OPTION_REQUIRED)


_STRING_CHOICES = nullable(
    array(obj({"name": _CHOICE_NAME, "name_localizations": _CHOICE_NAMES, "value": string(max_length=6000)},
              required=("name", "value")), max_items=25)
)  # fmt: skip
_VALUE_OPTIONS: dict[Any, Schema] = {
    3: _option(
        autocomplete=nullable(boolean()),
        min_length=nullable(integer(minimum=0, maximum=6000)),
        max_length=nullable(integer(minimum=1, maximum=6000)),
        choices=_STRING_CHOICES,
    ),
    4: _option(
        autocomplete=nullable(boolean()),
        choices=nullable(array(_CHOICE, max_items=25)),
        min_value=nullable(integer(minimum=-_INT53, maximum=_INT53)),
        max_value=nullable(integer(minimum=-_INT53, maximum=_INT53)),
    ),
    5: _option(),
    6: _option(),
    7: _option(channel_types=nullable(array(integer(), unique=True))),
    8: _option(),
    9: _option(),
    10: _option(
        autocomplete=nullable(boolean()),
        choices=nullable(array(_CHOICE, max_items=25)),
        min_value=nullable(number()),
        max_value=nullable(number()),
    ),
    11: _option(),
}
_SUBCOMMAND = _option(options=nullable(array(tagged("type", _VALUE_OPTIONS), max_items=25)))
_OPTIONS = nullable(
    array(
        tagged(
            "type",
            {**_VALUE_OPTIONS, 1: _SUBCOMMAND, 2: _option(options=nullable(array(_SUBCOMMAND, max_items=25)))},
        ),
        max_items=25,
    )
)

COMMAND = obj(
    {
        "name": string(min_length=1, max_length=32),
        "name_localizations": _LOCALISED_NAMES,
        "description": nullable(string(max_length=100)),
        "description_localizations": _LOCALISED_DESCRIPTIONS,
        "options": _OPTIONS,
        "default_member_permissions": nullable(permissions),
        "dm_permission": nullable(boolean()),
        "contexts": nullable(array(integer(choices=(0, 1, 2)), min_items=1, unique=True)),
        "integration_types": nullable(array(integer(choices=(0, 1)), min_items=1, unique=True)),
        "handler": nullable(integer(choices=(1, 2))),
        "type": nullable(integer(choices=(1, 2, 3, 4))),
        "id": nullable(snowflake),
        "nsfw": nullable(boolean()),  # documented, not in the spec (see the docstring)
    },
    required=("name",),
)
COMMANDS = nullable(array(COMMAND, max_items=130))

CREATE_DM = obj(
    {
        "recipient_id": nullable(snowflake),
        "access_tokens": nullable(array(string(max_length=152133), max_items=1521, unique=True)),
        "nicks": nullable(mapping(nullable(string(max_length=152133)), max_properties=1521)),
    }
)

# Routes -------------------------------------------------------------------------------------------------

# (method, route as the emulator declares it) -> the body's schema. Routes not listed take no body.
REQUEST_BODIES: dict[tuple[str, str], Schema] = {
    ("POST", "/interactions/{interaction_id}/{token}/callback"): INTERACTION_CALLBACK,
    ("POST", "/webhooks/{app_id}/{token}"): WEBHOOK_EXECUTE,
    ("PATCH", "/webhooks/{app_id}/{token}/messages/{message_id}"): WEBHOOK_EDIT,
    ("POST", "/channels/{channel_id}/messages"): MESSAGE_CREATE,
    ("PUT", "/applications/{app_id}/commands"): COMMANDS,
    ("PUT", "/applications/{app_id}/guilds/{guild_id}/commands"): COMMANDS,
    ("POST", "/users/@me/channels"): CREATE_DM,
}
_NO_BODY = object()


def check_request(method: str, route: str, body: Any = _NO_BODY) -> list[str]:
    """What is wrong with a request body for `route`, by Discord's spec; empty when it is valid."""
    schema = REQUEST_BODIES.get((method, route))
    if schema is None:
        return [] if body is _NO_BODY or body is None else [f"{method} {route} takes no body"]
    if body is _NO_BODY:
        return [f"{method} {route}: a JSON body is required"]
    return list(schema(body, "body"))
