"""Shared helpers for the backends tests (MockTransport scripts, canned replies)."""

import json

import httpx
import backends


class Recorder:
    """A MockTransport handler that answers from a script and records every request body."""

    def __init__(self, *replies):
        self.replies = list(replies)
        self.bodies: list = []
        self.requests: list = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        self.bodies.append(json.loads(request.content))
        reply = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        if isinstance(reply, Exception):
            raise reply
        return reply(request) if callable(reply) else reply


def openai_reply(text="ok", tool_calls=None, finish="stop"):
    msg = {"role": "assistant", "content": text}
    if tool_calls:
        msg["tool_calls"] = tool_calls
    return httpx.Response(200, json={"model": "m", "choices": [{"message": msg, "finish_reason": finish}],
                                     "usage": {"prompt_tokens": 5, "completion_tokens": 2}})


FAST = backends.RetryPolicy(max_retries=2, initial_delay=0.001, max_delay=0.002)


