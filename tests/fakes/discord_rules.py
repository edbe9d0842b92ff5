"""Limits real Discord enforces on message bodies that the OpenAPI spec does not (fully) state.

Sources: developers docs ``resources/message.mdx`` (content 2000, embed limits, 6000 total) and
``components/reference.mdx`` (custom_id 1-100, 5 rows of 5 buttons, label 80).
"""

from __future__ import annotations

from typing import Any

from tests.fakes.discord_spec import FormErrors, add_form_error

CONTENT_MAX = 2000
EMBEDS_MAX = 10
EMBED_TOTAL_MAX = 6000
_EMBED_TEXT_LIMITS = {"title": 256, "description": 4096}
FIELDS_MAX = 25
ACTION_ROWS_MAX = 5
ROW_ITEMS_MAX = 5
CUSTOM_ID_MAX = 100
BUTTON_LABEL_MAX = 80
MODAL_TITLE_MAX = 45


def _too_long(errors: FormErrors, path: list[str | int], limit: int) -> None:
    add_form_error(errors, path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")


def _check_len(errors: FormErrors, path: list[str | int], value: Any, limit: int) -> int:
    if not isinstance(value, str):
        return 0
    if len(value) > limit:
        _too_long(errors, path, limit)
    return len(value)


def check_message(body: Any, errors: FormErrors, prefix: list[str | int]) -> None:
    """Add form errors for a message create/edit body (content, embeds, components)."""
    if not isinstance(body, dict):
        return
    _check_len(errors, [*prefix, "content"], body.get("content"), CONTENT_MAX)
    embeds = body.get("embeds")
    if isinstance(embeds, list):
        _check_embeds(errors, [*prefix, "embeds"], embeds)
    components = body.get("components")
    if isinstance(components, list):
        check_components(errors, [*prefix, "components"], components)


def _check_embeds(errors: FormErrors, path: list[str | int], embeds: list[Any]) -> None:
    if len(embeds) > EMBEDS_MAX:
        _too_long(errors, path, EMBEDS_MAX)
    total = 0
    for i, embed in enumerate(embeds):
        if not isinstance(embed, dict):
            continue
        here = [*path, i]
        for key, limit in _EMBED_TEXT_LIMITS.items():
            total += _check_len(errors, [*here, key], embed.get(key), limit)
        fields = embed.get("fields") or []
        if len(fields) > FIELDS_MAX:
            _too_long(errors, [*here, "fields"], FIELDS_MAX)
        for j, fld in enumerate(fields):
            if isinstance(fld, dict):
                total += _check_len(errors, [*here, "fields", j, "name"], fld.get("name"), 256)
                total += _check_len(errors, [*here, "fields", j, "value"], fld.get("value"), 1024)
        footer = embed.get("footer")
        if isinstance(footer, dict):
            total += _check_len(errors, [*here, "footer", "text"], footer.get("text"), 2048)
        author = embed.get("author")
        if isinstance(author, dict):
            total += _check_len(errors, [*here, "author", "name"], author.get("name"), 256)
    if total > EMBED_TOTAL_MAX:
        add_form_error(
            errors,
            path,
            "MAX_EMBED_SIZE_EXCEEDED",
            f"Embed size exceeds maximum size of {EMBED_TOTAL_MAX}",
        )


def _check_custom_id(errors: FormErrors, path: list[str | int], component: dict[str, Any]) -> None:
    custom_id = component.get("custom_id")
    if custom_id is None:
        return
    if not isinstance(custom_id, str) or not 1 <= len(custom_id) <= CUSTOM_ID_MAX:
        add_form_error(
            errors,
            [*path, "custom_id"],
            "BASE_TYPE_BAD_LENGTH",
            f"Must be between 1 and {CUSTOM_ID_MAX} in length.",
        )


def check_components(errors: FormErrors, path: list[str | int], components: list[Any]) -> None:
    """Message components: rows, buttons per row, custom_id length, button labels."""
    rows = [c for c in components if isinstance(c, dict) and c.get("type") == 1]
    if len(rows) > ACTION_ROWS_MAX:
        _too_long(errors, path, ACTION_ROWS_MAX)
    for i, component in enumerate(components):
        if not isinstance(component, dict):
            continue
        _check_component_tree(errors, [*path, i], component)


def _check_component_tree(
    errors: FormErrors, path: list[str | int], component: dict[str, Any]
) -> None:
    _check_custom_id(errors, path, component)
    if component.get("type") == 2:
        _check_len(errors, [*path, "label"], component.get("label"), BUTTON_LABEL_MAX)
    children = component.get("components")
    if isinstance(children, list):
        if component.get("type") == 1 and len(children) > ROW_ITEMS_MAX:
            _too_long(errors, [*path, "components"], ROW_ITEMS_MAX)
        for j, child in enumerate(children):
            if isinstance(child, dict):
                _check_component_tree(errors, [*path, "components", j], child)
    for key in ("component", "accessory"):
        child = component.get(key)
        if isinstance(child, dict):
            _check_component_tree(errors, [*path, key], child)


def check_callback(body: Any) -> FormErrors:
    """Limits for an interaction callback body (message data for 4/7, modal data for 9)."""
    errors: FormErrors = {}
    if not isinstance(body, dict) or not isinstance(body.get("data"), dict):
        return errors
    data = body["data"]
    if body.get("type") in (4, 7):
        check_message(data, errors, ["data"])
    elif body.get("type") == 9:
        _check_custom_id(errors, ["data"], data)
        _check_len(errors, ["data", "title"], data.get("title"), MODAL_TITLE_MAX)
        components = data.get("components")
        if isinstance(components, list):
            for i, component in enumerate(components):
                if isinstance(component, dict):
                    _check_component_tree(errors, ["data", "components", i], component)
    return errors
