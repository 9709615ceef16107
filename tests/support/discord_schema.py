"""Discord's published OpenAPI spec as an oracle for what the bot sends: every request body
the fake Discord receives is validated against the spec's request schema for its route
(Draft 2020-12, with format checking). The spec is vendored in data/discord-api-spec."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

SPEC = Path(__file__).resolve().parents[2] / "data" / "discord-api-spec" / "openapi.json"


@functools.cache
def _spec() -> dict[str, Any]:
    spec: dict[str, Any] = json.loads(SPEC.read_text(encoding="utf-8"))
    return spec


@functools.cache
def _validator(method: str, path: str) -> Draft202012Validator:
    spec = _spec()
    operation = spec["paths"][path][method.lower()]
    if "requestBody" not in operation:  # a route that takes no body (pinning): send none
        return Draft202012Validator({"const": {}})
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    # The request schema's $refs point into #/components: give it the spec's components.
    rooted = {**schema, "components": spec["components"]}
    return Draft202012Validator(rooted, format_checker=Draft202012Validator.FORMAT_CHECKER)


def violations(method: str, path: str, body: Any) -> list[str]:
    """What in `body` Discord's spec refuses for `method path` (a spec path template)."""
    validator = _validator(method, path)
    found = []
    for error in validator.iter_errors(body):
        # anyOf of request shapes: the deepest reasons say more than "not valid under any".
        reasons = [e.message for e in (error.context or [])][:3] or [error.message]
        where = "/".join(str(p) for p in error.absolute_path) or "(body)"
        found.append(f"{method} {path} {where}: {'; '.join(r[:200] for r in reasons)}")
    return found
