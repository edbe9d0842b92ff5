"""Request-body validation against Discord's OpenAPI 3.1 spec, plus limits the spec omits.

The spec is parsed once per process (module-level cache) and one Draft 2020-12 validator is
built lazily per (method, path template) and cached. Errors come back in Discord's own
``Invalid Form Body`` shape: ``{"embeds": {"0": {"title": {"_errors": [{code, message}]}}}}``.

Corrections applied to the in-memory copy of the spec (real Discord accepts these, the spec
does not; discord.py sends them in ordinary flows):

* ``SnowflakeType`` is a decimal *string* in the spec, but Discord accepts integers too, and
  discord.py sends integers, e.g. attachment ids (``File.to_dict`` gives ``{"id": 0}``) and
  ``allowed_mentions.users``. Integers >= 0 are accepted as snowflakes here.
"""

from __future__ import annotations

import copy
import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

log = logging.getLogger(__name__)

SPEC_URI = "urn:discord-openapi"
_METHODS = ("get", "put", "post", "patch", "delete")
_ERROR_CODES = {
    "maxLength": "BASE_TYPE_MAX_LENGTH",
    "minLength": "BASE_TYPE_MIN_LENGTH",
    "maxItems": "BASE_TYPE_MAX_LENGTH",
    "minItems": "BASE_TYPE_MIN_LENGTH",
    "required": "BASE_TYPE_REQUIRED",
    "type": "BASE_TYPE_BAD_TYPE",
    "enum": "BASE_TYPE_CHOICES",
    "const": "BASE_TYPE_CHOICES",
    "maximum": "NUMBER_TYPE_MAX",
    "minimum": "NUMBER_TYPE_MIN",
    "pattern": "BASE_TYPE_BAD_FORMAT",
    "uniqueItems": "BASE_TYPE_UNIQUE",
}

FormErrors = dict[str, Any]


def _pointer(*parts: str) -> str:
    return "#" + "".join(
        "/" + quote(p.replace("~", "~0").replace("/", "~1"), safe="~") for p in parts
    )


@dataclass
class _Template:
    template: str
    regex: re.Pattern[str]
    literal_segments: int
    methods: dict[str, str] = field(default_factory=dict)  # method -> body schema pointer


class OpenApiSpec:
    """Discord's spec: path-template matching and cached request-body validators."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self._patch_spec(spec)
        resource = Resource.from_contents(spec, default_specification=DRAFT202012)
        self._registry: Registry[Any] = Registry().with_resource(SPEC_URI, resource)
        self._templates: list[_Template] = []
        for template, item in spec["paths"].items():
            entry = _Template(
                template=template,
                regex=re.compile(
                    "^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)) + "$"
                ),
                literal_segments=sum(1 for s in template.split("/") if "{" not in s),
            )
            for method in _METHODS:
                operation = item.get(method)
                if not isinstance(operation, dict) or "requestBody" not in operation:
                    continue
                content = operation["requestBody"].get("content", {})
                if "application/json" in content:
                    entry.methods[method.upper()] = _pointer(
                        "paths", template, method, "requestBody", "content",
                        "application/json", "schema",
                    )  # fmt: skip
            self._templates.append(entry)
        self._by_template = {t.template: t for t in self._templates}
        self._validators: dict[tuple[str, str], Draft202012Validator] = {}

    @staticmethod
    def _patch_spec(spec: dict[str, Any]) -> None:
        schemas = spec["components"]["schemas"]
        schemas["SnowflakeType"] = {
            "anyOf": [
                copy.deepcopy(schemas["SnowflakeType"]),
                {"type": "integer", "minimum": 0},
            ]
        }

    def match_template(self, path: str) -> str | None:
        """The most specific spec path template matching ``path`` (literals beat parameters)."""
        best: _Template | None = None
        for entry in self._templates:
            if entry.regex.match(path) and (
                best is None or entry.literal_segments > best.literal_segments
            ):
                best = entry
        return best.template if best else None

    def validator(self, method: str, path: str) -> Draft202012Validator | None:
        """The cached body validator for ``method path``; None if the spec defines no body."""
        template = self.match_template(path)
        entry = self._by_template.get(template or "")
        if entry is None or method not in entry.methods:
            return None
        key = (method, entry.template)
        if key not in self._validators:
            self._validators[key] = Draft202012Validator(
                {"$ref": SPEC_URI + entry.methods[method]}, registry=self._registry
            )
        return self._validators[key]

    def validate(self, method: str, path: str, body: Any) -> FormErrors:
        """Discord-style form errors for ``body`` sent to ``method path`` ({} when valid)."""
        validator = self.validator(method.upper(), path)
        if validator is None:
            return {}
        errors: FormErrors = {}
        for error in validator.iter_errors(body):
            leaf = best_match([error])
            add_form_error(errors, list(leaf.absolute_path), *_describe(leaf))
        return errors


def _describe(error: ValidationError) -> tuple[str, str]:
    code = _ERROR_CODES.get(str(error.validator), "BASE_TYPE_INVALID")
    limit = error.validator_value
    if error.validator in ("maxLength", "maxItems"):
        return code, f"Must be {limit} or fewer in length."
    if error.validator in ("minLength", "minItems"):
        return code, f"Must be {limit} or more in length."
    if error.validator == "maximum":
        return code, f"int value should be less than or equal to {limit}."
    if error.validator == "minimum":
        return code, f"int value should be greater than or equal to {limit}."
    if error.validator == "required":
        return code, "This field is required"
    if error.validator == "type":
        return code, f"Value must be of type {limit}."
    if error.validator in ("enum", "const"):
        return code, f"Value must be one of {limit}."
    return code, "Invalid Form Body"


def add_form_error(errors: FormErrors, path: list[str | int], code: str, message: str) -> None:
    node = errors
    for part in path:
        node = node.setdefault(str(part), {})
    node.setdefault("_errors", []).append({"code": code, "message": message})


_SPEC_CACHE: dict[Path, OpenApiSpec | None] = {}


def load_spec(path: Path | None) -> OpenApiSpec | None:
    """The parsed spec at ``path``, once per process; None (logged once) if it is missing."""
    if path is None:
        return None
    path = path.resolve()
    if path not in _SPEC_CACHE:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            log.warning("Discord OpenAPI spec not found at %s; request bodies not validated", path)
            _SPEC_CACHE[path] = None
        else:
            _SPEC_CACHE[path] = OpenApiSpec(raw)
    return _SPEC_CACHE[path]
