"""What a send returns: :class:`Response` and :class:`ToolCall`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

__all__ = ["Response", "ToolCall", "Usage"]


@dataclass
class ToolCall:
    id: str
    name: str
    arguments: Any  # parsed JSON (dict) when the model sent valid JSON, else the raw string


@dataclass
class Usage:
    input_tokens: Optional[int] = None
    output_tokens: Optional[int] = None


@dataclass
class Response:
    """One model reply.

    ``parsed`` is the reply's JSON when an output schema was given (validated);
    ``messages`` is the whole exchange in ``message_dict`` form (prompt, tool
    round-trips, this reply); ``raw`` the provider's last JSON body (or the
    stream's final event).
    """

    text: str = ""
    tool_calls: list = field(default_factory=list)
    finish_reason: Optional[str] = None
    usage: Usage = field(default_factory=Usage)
    model: Optional[str] = None
    parsed: Any = None
    messages: list = field(default_factory=list)
    raw: Any = None
