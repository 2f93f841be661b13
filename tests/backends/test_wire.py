"""Request bodies: golden bodies for the shared examples, and hypothesis over renderer-shaped messages."""

import json

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _wire import EXAMPLES, GOLDENS, MODELS, bodies
from backends._client import _Call
from backends._prompt import Prepared
from backends._target import resolve
from renderers._multimedia import TOOL_REQUEST, TOOL_RESPONSE

EXAMPLE_FILES = sorted(EXAMPLES.glob("*.poml")) if EXAMPLES.is_dir() else []


@pytest.mark.skipif(not EXAMPLE_FILES, reason="../shared/poml-examples is not checked out next to the repo")
@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_example_bodies_match_goldens(example, monkeypatch):
    monkeypatch.chdir(EXAMPLES)
    golden = json.loads((GOLDENS / f"{example.stem}.json").read_text())
    assert bodies(example) == golden, "regenerate with: PYTHONPATH=. python tests/backends/make_goldens.py"


def test_every_example_has_a_golden():
    assert sorted(p.stem for p in GOLDENS.glob("*.json")) == [p.stem for p in EXAMPLE_FILES]


# ---- provider request schemas (the parts of each API's published schema the converters produce)
_TEXT = {"type": "string"}
OPENAI = {
    "type": "object", "required": ["model", "messages"],
    "properties": {"model": _TEXT, "messages": {"type": "array", "items": {"oneOf": [
        {"type": "object", "required": ["role", "content"], "additionalProperties": False,
         "properties": {"role": {"enum": ["system", "user"]}, "content": {"oneOf": [_TEXT, {"type": "array", "items": {"oneOf": [
             {"type": "object", "required": ["type", "text"], "properties": {"type": {"const": "text"}, "text": _TEXT}},
             {"type": "object", "required": ["type", "image_url"], "properties": {"type": {"const": "image_url"},
              "image_url": {"type": "object", "required": ["url"], "properties": {"url": {"pattern": "^data:image/"}}}}}]}}]}}},
        {"type": "object", "required": ["role"], "additionalProperties": False, "anyOf": [{"required": ["content"]}, {"required": ["tool_calls"]}],
         "properties": {"role": {"const": "assistant"}, "content": {}, "tool_calls": {"type": "array", "minItems": 1, "items": {
             "type": "object", "required": ["id", "type", "function"], "properties": {"type": {"const": "function"},
             "function": {"type": "object", "required": ["name", "arguments"], "properties": {"arguments": _TEXT}}}}}}},
        {"type": "object", "required": ["role", "content"], "additionalProperties": False,
         "properties": {"role": {"const": "tool"}, "content": _TEXT, "tool_call_id": _TEXT}}]}}},
}
_ABLOCK = {"oneOf": [
    {"type": "object", "required": ["type", "text"], "properties": {"type": {"const": "text"}, "text": {"type": "string", "minLength": 1}}},
    {"type": "object", "required": ["type", "source"], "properties": {"type": {"const": "image"}, "source": {
        "type": "object", "required": ["type", "media_type", "data"], "properties": {"type": {"const": "base64"}}}}},
    {"type": "object", "required": ["type", "id", "name", "input"], "properties": {"type": {"const": "tool_use"}, "input": {"type": "object"}}},
    {"type": "object", "required": ["type", "tool_use_id", "content"], "properties": {"type": {"const": "tool_result"}}}]}
ANTHROPIC = {
    "type": "object", "required": ["model", "messages", "max_tokens"],
    "properties": {"system": _TEXT, "max_tokens": {"type": "integer", "minimum": 1}, "messages": {"type": "array", "items": {
        "type": "object", "required": ["role", "content"], "additionalProperties": False,
        "properties": {"role": {"enum": ["user", "assistant"]}, "content": {"type": "array", "minItems": 1, "items": _ABLOCK}}}}},
}
OLLAMA = {
    "type": "object", "required": ["model", "messages", "stream"],
    "properties": {"messages": {"type": "array", "items": {
        "type": "object", "required": ["role", "content"], "additionalProperties": False,
        "properties": {"role": {"enum": ["system", "user", "assistant", "tool"]}, "content": _TEXT, "tool_name": _TEXT,
                       "images": {"type": "array", "items": _TEXT},
                       "tool_calls": {"type": "array", "items": {"type": "object", "required": ["function"], "properties": {
                           "function": {"type": "object", "required": ["name", "arguments"], "properties": {"arguments": {"type": "object"}}}}}}}}}},
}
SCHEMAS = {"openai": OPENAI, "llamacpp": OPENAI, "anthropic": ANTHROPIC, "ollama": OLLAMA}


def _anthropic_rules(body):
    roles = [m["role"] for m in body["messages"]]
    assert all(a != b for a, b in zip(roles, roles[1:])), f"roles must alternate: {roles}"
    for m in body["messages"]:
        kinds = {b["type"] for b in m["content"]}
        assert m["role"] == "user" or "tool_result" not in kinds
        assert m["role"] == "assistant" or "tool_use" not in kinds


# ---- what the renderer can produce (renderers/_multimedia.py, _speakers.py shapes)
text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=0, max_size=30)
ids = st.from_regex(r"call_[a-z0-9]{1,6}", fullmatch=True)
names = st.from_regex(r"[a-z_]{1,10}", fullmatch=True)
media = st.builds(lambda mime, b, alt: {"type": mime, "base64": b, **({"alt": alt} if alt else {})},
                  st.sampled_from(["image/png", "image/jpeg", "image/webp"]), st.from_regex(r"[A-Za-z0-9+/]{4,16}={0,2}", fullmatch=True),
                  st.one_of(st.none(), text))
json_args = st.dictionaries(names, st.one_of(st.integers(), text, st.booleans()), max_size=3)
request = st.builds(lambda i, n, a: {"type": TOOL_REQUEST, "id": i, "name": n, "content": a}, ids, names, json_args)
response = st.builds(lambda i, n, c: {"type": TOOL_RESPONSE, "id": i, "name": n, "content": c}, ids, names, text)
message = st.one_of(
    st.builds(lambda c: {"speaker": "system", "content": c}, text),
    st.builds(lambda c: {"speaker": "human", "content": c}, st.one_of(text, st.lists(st.one_of(text, media), min_size=1, max_size=3))),
    st.builds(lambda c: {"speaker": "ai", "content": c}, st.one_of(text, st.lists(st.one_of(text, request), min_size=1, max_size=3))),
    st.builds(lambda c: {"speaker": "tool", "content": c}, st.lists(response, min_size=1, max_size=2)),
)
runtime = st.fixed_dictionaries({}, optional={"temperature": st.floats(0, 2), "maxTokens": st.integers(1, 4096),
                                              "topP": st.floats(0, 1), "stop": st.lists(text, max_size=2)})
tools = st.lists(st.builds(lambda n, d: {"type": "function", "name": n, "description": d,
                                         "parameters": {"type": "object", "properties": {}}}, names, text), max_size=2)


@settings(max_examples=40, deadline=None)
@given(messages=st.lists(message, min_size=1, max_size=6), runtime=runtime, tools=tools,
       schema=st.one_of(st.none(), st.just({"type": "object", "properties": {"a": {"type": "integer"}}})),
       stream=st.booleans())
def test_every_renderer_message_list_gives_a_valid_body(messages, runtime, tools, schema, stream):
    prepared = Prepared(messages, schema, tools, runtime)
    for name, model in MODELS.items():
        call = _Call(resolve(model, None, "http://127.0.0.1:9", "k"), prepared, None, None, 8, {})
        body = json.loads(json.dumps(call.body(stream)))  # must be JSON-serialisable
        jsonschema.validate(body, SCHEMAS[name])
        if name == "anthropic":
            _anthropic_rules(body)
            if schema is not None:
                assert body["tool_choice"] == {"type": "tool", "name": "json_output"}
        if name == "ollama" and runtime.get("maxTokens"):
            assert body["options"]["num_predict"] == runtime["maxTokens"]
        if name == "openai" and schema is not None:
            assert body["response_format"]["json_schema"]["schema"] == schema
        # every tool request keeps its id and its arguments through the conversion
        sent = [p for m in messages if isinstance(m["content"], list) for p in m["content"]
                if isinstance(p, dict) and p["type"] == TOOL_REQUEST]
        if name == "openai":
            got = [(c["id"], json.loads(c["function"]["arguments"])) for m in body["messages"] for c in m.get("tool_calls", [])]
            assert got == [(p["id"], p["content"]) for p in sent]


NAMES = st.lists(st.from_regex(r"[a-z_][a-z0-9_]{0,12}", fullmatch=True), min_size=1, max_size=5, unique=True)


@settings(max_examples=60, deadline=None)
@given(NAMES, st.data())
def test_llamacpp_sends_a_forced_tool_as_required_over_that_tool(names, data):
    chosen = data.draw(st.sampled_from(names + ["not_a_tool"]))
    provider = resolve("llamacpp:m", None, None, None).provider
    tools = [{"name": n, "parameters": {"type": "object", "properties": {}}} for n in names]
    body = provider.body([{"speaker": "human", "content": "x"}], model="m", tools=tools, schema=None, runtime=None,
                         stream=False, options={"tool_choice": {"type": "function", "function": {"name": chosen}}})
    sent = [t["function"]["name"] for t in body["tools"]]
    assert body["tool_choice"] == "required"
    # only the named tool when it exists; every tool (never none) when the name is unknown
    assert sent == ([chosen] if chosen in names else names)
