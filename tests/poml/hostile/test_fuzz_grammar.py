"""A grammar-aware fuzzer: generated and mutated markup ends in output or a PomlError, fast.

Markup is drawn from the component registry (tags, their attributes and enumerated values),
``{{ }}`` expressions, ``for``/``if``, ``<let>``, nesting and stray characters, plus byte-level
mutations of the reference's examples. Anything but a result or a :class:`poml.PomlError`
fails, and so does a render over two seconds. ``POML_FUZZ_EXAMPLES`` sets how many inputs
each property tries (CI keeps it small; a longer run is ``POML_FUZZ_EXAMPLES=20000``). CI draws
the same inputs every run; ``POML_FUZZ_SEED=N`` draws others (a long run with a new seed finds
what the fixed one cannot).
"""

from __future__ import annotations

import os
import time
import warnings
from pathlib import Path

from hypothesis import HealthCheck, given, seed, settings, strategies as st

import poml
from poml.components import all_components

EXAMPLES = int(os.environ.get("POML_FUZZ_EXAMPLES", "150"))
RENDER_SECONDS = 2.0
SEED = os.environ.get("POML_FUZZ_SEED")
_DRAW = settings(max_examples=EXAMPLES, deadline=None, derandomize=SEED is None, database=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def _SETTINGS(test):
    """The fuzzer's settings, and the seed ``POML_FUZZ_SEED`` names (if any)."""
    test = _DRAW(test)
    return seed(int(SEED))(test) if SEED is not None else test

_COMPONENTS = [c for c in all_components()]
_LANGUAGE_TAGS = ["let", "include", "output-schema", "tool-definition", "runtime", "stylesheet", "context", "meta"]

_expression = st.one_of(
    st.sampled_from(["x", "x.y", "items.length", "items[0]", "x + 1", "'a' + x", "[x, x]", "{a: x}",
                     "x ? 1 : 2", "JSON.stringify(items)", "items.map(i => i * 2)", "x.y.z.w",
                     "undefined.a", "(() => 1)()", "x.constructor", "__import__", "'a'.repeat(3)",
                     "JSON.parse('[[[[1]]]]')", "Math.max(...items)", "items.join(',')",
                     "Object.entries(x).map(([k, v]) => k + v)", "items.map(({y, z = 1}, ...r) => y)",
                     "x._id", "(1.5).toPrecision(2)", "encodeURIComponent(x)", "decodeURI('%')",
                     "items.findLast(i => i)", "String.fromCharCode(0xD83D)", "[...new Set(items)]",
                     "new Set(x).has(1)", "new Date()"]),
    st.text(alphabet="xy.+-*/()[]{}'\"?:!=<>&| 0123456789", max_size=20),
    st.text(alphabet="xy_.,()[]{}=> 1'", max_size=24),  # arrows and binding patterns, mostly broken
)


def _attribute_value(param) -> st.SearchStrategy[str]:
    choices = list(param.choices) or []
    return st.one_of(
        st.sampled_from(choices) if choices else st.text(max_size=8),
        st.sampled_from(["true", "false", "0", "-1", "1e9", "", "{{ x }}", "{{ items }}", "abc"]),
        _expression.map(lambda e: "{{ " + e + " }}"),
    )


@st.composite
def _attributes(draw, component) -> str:
    params = component.all_params() if hasattr(component, "all_params") else component.params
    chosen = draw(st.lists(st.sampled_from(params), max_size=3, unique_by=lambda p: p.name)) if params else []
    parts = [f'{p.name}="{_escape(draw(_attribute_value(p)))}"' for p in chosen]
    if draw(st.integers(0, 9)) == 0:
        parts.append('for="i in items"')
    if draw(st.integers(0, 9)) == 0:
        parts.append(f'if="{_escape(draw(_expression))}"')
    return (" " + " ".join(parts)) if parts else ""


def _escape(text: str) -> str:
    return text.replace('"', "&quot;").replace("<", "#lt;")


_text = st.one_of(st.text(max_size=12), _expression.map(lambda e: "{{ " + e + " }}"),
                  st.sampled_from(["&", "<", "{{", "}}", "#lt;", "&amp;", "<!-- c -->", "<![CDATA[x]]>"]))


def _markup(depth: int = 4) -> st.SearchStrategy[str]:
    leaf = _text

    @st.composite
    def element(draw, children) -> str:
        kind = draw(st.integers(0, 19))
        if kind == 0:
            tag = draw(st.sampled_from(_LANGUAGE_TAGS))
            return f"<{tag} name=\"v\" value=\"{{{{ x }}}}\">{draw(children)}</{tag}>"
        if kind == 1:
            return f"<{draw(st.text(alphabet='abcxyz-', min_size=1, max_size=8))}>{draw(children)}</x>"
        component = draw(st.sampled_from(_COMPONENTS))
        tag = draw(st.sampled_from(list(component.aliases) or [component.name]))
        attrs = draw(_attributes(component))
        if draw(st.integers(0, 7)) == 0:
            return f"<{tag}{attrs}/>"
        return f"<{tag}{attrs}>{draw(children)}</{tag}>"

    return st.recursive(leaf, lambda children: st.one_of(
        element(children), st.lists(children, max_size=4).map("".join)), max_leaves=20)


_CONTEXT = {"x": {"y": 1}, "items": [1, 2, 3], "name": "n"}


def _render_once(markup: str, **kwargs) -> float:
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            poml.poml(markup, context=_CONTEXT, env=poml.Environment(), **kwargs)  # cold: no caches help
        except poml.PomlError:
            pass
    return time.perf_counter() - t0


def _render_must_be_clean(markup: str, **kwargs) -> None:
    took = _render_once(markup, **kwargs)
    if took >= RENDER_SECONDS:
        # The first use of a loader imports it (pillow, openpyxl ...); on a busy machine that
        # alone can take seconds. The render itself must be fast once imports are done.
        took = _render_once(markup, **kwargs)
    assert took < RENDER_SECONDS, f"{took:.2f} s for {markup[:200]!r}"


@_SETTINGS
@given(_markup(), st.booleans())
def test_generated_markup_is_output_or_a_poml_error(body, strict):
    _render_must_be_clean(f"<poml>{body}</poml>", strict=strict)


@_SETTINGS
@given(_markup())
def test_generated_markup_in_every_format(body):
    fmt = ["raw", "dict", "openai_chat", "langchain"][len(body) % 4]
    _render_must_be_clean(f"<poml>{body}</poml>", format=fmt, chat=len(body) % 3 != 0)


def _example_texts() -> list[str]:
    root = Path(os.environ.get("POML_EXAMPLES_DIR", Path(__file__).resolve().parents[4] / "shared" / "poml-examples"))
    return [p.read_text(encoding="utf-8") for p in sorted((root / "examples").glob("*.poml"))] or ["<p>x</p>"]


_EXAMPLES_TEXT = _example_texts()


@st.composite
def _mutated_example(draw) -> str:
    text = draw(st.sampled_from(_EXAMPLES_TEXT))
    for _ in range(draw(st.integers(1, 4))):
        if not text:
            break
        i = draw(st.integers(0, len(text) - 1))
        j = min(len(text), i + draw(st.integers(0, 12)))
        op = draw(st.integers(0, 3))
        if op == 0:
            text = text[:i] + text[j:]                              # delete
        elif op == 1:
            text = text[:i] + draw(st.sampled_from(["<", ">", "{{", "}}", "\"", "/", "&", "</p>", "<p>"])) + text[i:]
        elif op == 2:
            text = text[:i] + text[i:j] * draw(st.integers(2, 5)) + text[j:]  # duplicate
        else:
            text = text[:i] + draw(st.text(max_size=6)) + text[j:]  # replace
    return text


@_SETTINGS
@given(_mutated_example(), st.booleans())
def test_mutated_examples_are_output_or_a_poml_error(markup, strict):
    _render_must_be_clean(markup, strict=strict)
