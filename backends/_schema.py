"""The model's JSON reply, parsed and checked against the output schema."""

from __future__ import annotations

import json
import re
from typing import Any, Optional

from ._errors import SchemaError

_FENCE = re.compile(r"^\s*```(?:json)?\s*\n(.*?)\n\s*```\s*$", re.S)


def parse_json(text: str, schema: dict, server: Optional[str] = None) -> Any:
    """``text`` as JSON (a ```json fence is tolerated), validated with jsonschema when installed."""
    m = _FENCE.match(text)
    body = m.group(1) if m else text
    try:
        value = json.loads(body)
    except json.JSONDecodeError as exc:
        raise SchemaError(f"the reply from {server} is not JSON ({exc.msg} at char {exc.pos}); "
                          f"the output schema asked for JSON: {text[:200]!r}", server=server, text=text,
                          errors=[str(exc)]) from None
    try:
        import jsonschema
    except ImportError:  # validation needs the [send] extra; parsing alone still helps
        return value
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(value), key=lambda e: list(e.path))
    if errors:
        where = "; ".join(f"{'/'.join(map(str, e.path)) or '(root)'}: {e.message}" for e in errors[:5])
        raise SchemaError(f"the JSON from {server} does not fit the output schema: {where}",
                          server=server, text=text, errors=[e.message for e in errors])
    return value
