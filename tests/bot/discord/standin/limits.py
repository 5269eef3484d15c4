"""Discord's documented limits, checked the way Discord checks them.

Each problem is (path, code, message), with the path as Discord reports it in a 400 "Invalid
Form Body" (50035): `embeds.0.fields.3.value`. `form_error` builds Discord's nested error body
from them, so discord.py formats the refusal exactly as it would for the real API.

Sources: https://discord.com/developers/docs/resources/message#embed-object-embed-limits,
/interactions/message-components, /interactions/receiving-and-responding.
"""

from __future__ import annotations

from typing import Any

Problem = tuple[str, str, str]

CONTENT = 2000
EMBEDS = 10
EMBED_TITLE = 256
EMBED_DESCRIPTION = 4096
EMBED_FIELDS = 25
FIELD_NAME = 256
FIELD_VALUE = 1024
FOOTER = 2048
AUTHOR = 256
EMBED_TOTAL = 6000
ROWS = 5
ROW_BUTTONS = 5
BUTTON_LABEL = 80
CUSTOM_ID = 100
MODAL_TITLE = 45
MODAL_COMPONENTS = 5
TEXT_INPUT_LABEL = 45
TEXT_INPUT_MAX = 4000
CHOICES = 25
CHOICE_TEXT = 100
ATTACHMENT_DESCRIPTION = 1024


def _max_length(path: str, limit: int) -> Problem:
    return (path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")


def _length(path: str, low: int, high: int) -> Problem:
    return (path, "BASE_TYPE_BAD_LENGTH", f"Must be between {low} and {high} in length.")


def check_message(payload: dict[str, Any], *, files: int = 0) -> list[Problem]:
    """A message body (channel message, interaction reply, followup or edit)."""
    problems: list[Problem] = []
    content = payload.get("content") or ""
    if len(content) > CONTENT:
        problems.append(_max_length("content", CONTENT))
    embeds = payload.get("embeds") or []
    if len(embeds) > EMBEDS:
        problems.append(_max_length("embeds", EMBEDS))
    total = 0
    for i, embed in enumerate(embeds):
        where = f"embeds.{i}"
        for key, limit in (("title", EMBED_TITLE), ("description", EMBED_DESCRIPTION)):
            text = embed.get(key) or ""
            total += len(text)
            if len(text) > limit:
                problems.append(_max_length(f"{where}.{key}", limit))
        fields = embed.get("fields") or []
        if len(fields) > EMBED_FIELDS:
            problems.append(_max_length(f"{where}.fields", EMBED_FIELDS))
        for j, f in enumerate(fields):
            name, value = f.get("name") or "", f.get("value") or ""
            total += len(name) + len(value)
            if not 1 <= len(name) <= FIELD_NAME:
                problems.append(_length(f"{where}.fields.{j}.name", 1, FIELD_NAME))
            if not 1 <= len(value) <= FIELD_VALUE:
                problems.append(_length(f"{where}.fields.{j}.value", 1, FIELD_VALUE))
        for key, sub, limit in (("footer", "text", FOOTER), ("author", "name", AUTHOR)):
            text = (embed.get(key) or {}).get(sub) or ""
            total += len(text)
            if len(text) > limit:
                problems.append(_max_length(f"{where}.{key}.{sub}", limit))
    if total > EMBED_TOTAL:
        problems.append(
            (
                "embeds",
                "MAX_EMBED_SIZE_EXCEEDED",
                f"Embed size exceeds maximum size of {EMBED_TOTAL}",
            )
        )
    problems += check_components(payload.get("components") or [])
    for i, attachment in enumerate(payload.get("attachments") or []):
        if len(attachment.get("description") or "") > ATTACHMENT_DESCRIPTION:
            problems.append(_max_length(f"attachments.{i}.description", ATTACHMENT_DESCRIPTION))
    return problems


NO_ALLOWED_MENTIONS = "allowed_mentions missing: Discord parses every mention in it and pings"


def mentions_note(payload: dict[str, Any], *, edit: bool = False) -> list[str]:
    """Discord pings whatever a message mentions unless it says otherwise; an edit that leaves
    the content as it is cannot ping."""
    if "allowed_mentions" in payload or (edit and "content" not in payload):
        return []
    return [NO_ALLOWED_MENTIONS]


def is_empty(payload: dict[str, Any], files: int) -> bool:
    return not (
        payload.get("content")
        or payload.get("embeds")
        or payload.get("components")
        or payload.get("sticker_ids")
        or payload.get("poll")
        or files
    )


def check_components(rows: list[dict[str, Any]]) -> list[Problem]:
    problems: list[Problem] = []
    if len(rows) > ROWS:
        problems.append(_max_length("components", ROWS))
    seen: set[str] = set()
    for r, row in enumerate(rows):
        children = row.get("components") or []
        if row.get("type") == 1 and not 1 <= len(children) <= ROW_BUTTONS:
            problems.append(_length(f"components.{r}.components", 1, ROW_BUTTONS))
        for c, child in enumerate(children):
            where = f"components.{r}.components.{c}"
            if len(child.get("label") or "") > BUTTON_LABEL:
                problems.append(_max_length(f"{where}.label", BUTTON_LABEL))
            custom_id = child.get("custom_id")
            if child.get("type") == 2 and child.get("style") == 5:
                continue  # link buttons have a url instead
            if custom_id is None or not 1 <= len(custom_id) <= CUSTOM_ID:
                problems.append(_length(f"{where}.custom_id", 1, CUSTOM_ID))
            elif custom_id in seen:
                problems.append(
                    (
                        f"{where}.custom_id",
                        "COMPONENT_CUSTOM_ID_DUPLICATED",
                        "Component custom id cannot be duplicated",
                    )
                )
            seen.add(custom_id or "")
    return problems


def check_modal(data: dict[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    if not 1 <= len(data.get("title") or "") <= MODAL_TITLE:
        problems.append(_length("data.title", 1, MODAL_TITLE))
    if not 1 <= len(data.get("custom_id") or "") <= CUSTOM_ID:
        problems.append(_length("data.custom_id", 1, CUSTOM_ID))
    components = data.get("components") or []
    if not 1 <= len(components) <= MODAL_COMPONENTS:
        problems.append(_length("data.components", 1, MODAL_COMPONENTS))
    for i, component in enumerate(components):
        inner = text_input_of(component)
        label = component.get("label") or inner.get("label") or ""
        if len(label) > TEXT_INPUT_LABEL:
            problems.append(_max_length(f"data.components.{i}.label", TEXT_INPUT_LABEL))
        if int(inner.get("max_length") or 0) > TEXT_INPUT_MAX:
            problems.append(_max_length(f"data.components.{i}.max_length", TEXT_INPUT_MAX))
    return problems


def text_input_of(component: dict[str, Any]) -> dict[str, Any]:
    """The text input inside a modal row: an action row (type 1) or a label (type 18)."""
    if component.get("type") == 1:
        return (component.get("components") or [{}])[0]
    return component.get("component") or component


def check_choices(data: dict[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    choices = data.get("choices") or []
    if len(choices) > CHOICES:
        problems.append(_max_length("data.choices", CHOICES))
    for i, choice in enumerate(choices):
        if not 1 <= len(choice.get("name") or "") <= CHOICE_TEXT:
            problems.append(_length(f"data.choices.{i}.name", 1, CHOICE_TEXT))
        value = choice.get("value")
        if isinstance(value, str) and len(value) > CHOICE_TEXT:
            problems.append(_max_length(f"data.choices.{i}.value", CHOICE_TEXT))
    return problems


def form_error(problems: list[Problem]) -> dict[str, Any]:
    """Discord's 400 body for an invalid form: errors nested by path."""
    errors: dict[str, Any] = {}
    for path, code, message in problems:
        node = errors
        for part in path.split("."):
            node = node.setdefault(part, {})
        node.setdefault("_errors", []).append({"code": code, "message": message})
    return {"message": "Invalid Form Body", "code": 50035, "errors": errors}


def describe(problems: list[Problem]) -> list[str]:
    return [f"{path}: {message}" for path, _, message in problems]


COMMANDS = 100
OPTIONS = 25
COMMAND_TEXT = 8000
_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789-_")


def check_commands(commands: list[dict[str, Any]]) -> list[Problem]:
    """A bulk command overwrite: names, descriptions, option order and sizes."""
    problems: list[Problem] = []
    if len(commands) > COMMANDS:
        problems.append(_max_length("", COMMANDS))

    def options(opts: list[dict[str, Any]], where: str) -> int:
        chars = 0
        if len(opts) > OPTIONS:
            problems.append(_max_length(f"{where}.options", OPTIONS))
        optional_seen = False
        for i, o in enumerate(opts):
            at = f"{where}.options.{i}"
            name, description = o.get("name", ""), o.get("description", "")
            chars += len(name) + len(description)
            if not (1 <= len(name) <= 32 and set(name) <= _NAME_CHARS):
                problems.append((f"{at}.name", "APPLICATION_COMMAND_INVALID_NAME", "Invalid name"))
            if not 1 <= len(description) <= 100:
                problems.append(_length(f"{at}.description", 1, 100))
            if o.get("type") not in (1, 2):
                if o.get("required") and optional_seen:
                    problems.append(
                        (
                            at,
                            "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                            "Required options must be placed before non-required options",
                        )
                    )
                optional_seen = optional_seen or not o.get("required")
            if len(o.get("choices") or []) > CHOICES:
                problems.append(_max_length(f"{at}.choices", CHOICES))
            if o.get("choices") and o.get("autocomplete"):
                problems.append((at, "AUTOCOMPLETE_CHOICES", "Autocomplete cannot have choices"))
            for c in o.get("choices") or []:
                chars += len(c["name"]) + len(str(c["value"]))
            chars += options(o.get("options") or [], at)
        return chars

    for i, command in enumerate(commands):
        name = command.get("name", "")
        if not (1 <= len(name) <= 32 and set(name) <= _NAME_CHARS):
            problems.append((f"{i}.name", "APPLICATION_COMMAND_INVALID_NAME", "Invalid name"))
        if command.get("type", 1) == 1 and not 1 <= len(command.get("description", "")) <= 100:
            problems.append(_length(f"{i}.description", 1, 100))
        total = len(name) + len(command.get("description", ""))
        total += options(command.get("options") or [], str(i))
        if total > COMMAND_TEXT:
            problems.append(
                (
                    str(i),
                    "APPLICATION_COMMAND_TOO_LARGE",
                    f"Command exceeds maximum size ({COMMAND_TEXT})",
                )
            )
    return problems
