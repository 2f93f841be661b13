"""Random Call trees with random (valid and invalid) attributes never raise from build()."""

from __future__ import annotations

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, event, given, settings, strategies as st  # noqa: E402

from poml._errors import DiagnosticSink, PomlError  # noqa: E402
from poml._tree import Call  # noqa: E402
from poml.components import all_components, build  # noqa: E402
from poml.ir import Element  # noqa: E402

COMPONENTS = [c for c in all_components()]
NAMES = sorted({p.name for c in COMPONENTS for p in c.all_params()}) + ["unknownAttr", "data-x"]
ODD_VALUES = st.one_of(
    st.sampled_from(["", "true", "false", "1", "0", "abc", "-1", "2.5", "NaN", "[1,2]", '{"a":1}', "[", "/x+/i",
                     "/(/", ":", "1:", "-2:", "x:y", "markdown", "json", "yaml", "xml", "text", "html", "csv",
                     "multimedia", "header", "bold", "plain", "hidden", "upper", "level", "colon-newline",
                     "human", "ai", "system", "tool", "pre", "filter", "trim", "star", "decimal", "latin",
                     '[{"a":1},{"a":2}]', '[[1,2],[3]]', '[{"speaker":"human","content":"hi"}]',
                     "iVBORw0KGgo=", "image/png", "top"]),
    st.text(max_size=8),
    st.integers(-3, 3),
    st.booleans(),
    st.none(),
    st.lists(st.integers(0, 3), max_size=3),
    st.dictionaries(st.sampled_from(["a", "type", "content", "speaker"]), st.text(max_size=4), max_size=2),
)


def calls(depth: int):
    leaf = st.text(alphabet=" \n\tab#{}<", max_size=6)
    if depth <= 0:
        return leaf

    @st.composite
    def call(draw):
        comp = draw(st.sampled_from(COMPONENTS))
        props = draw(st.dictionaries(st.sampled_from(NAMES), ODD_VALUES, max_size=4))
        kids = draw(st.lists(calls(depth - 1), max_size=3))
        return Call(comp, props, kids, 0, 5, None, comp.name)

    return st.one_of(leaf, call())


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(calls(3), min_size=1, max_size=3), st.one_of(st.none(), st.dictionaries(
    st.sampled_from(["*", "p", "task", ".c", "task .c", "list", ""]),
    st.dictionaries(st.sampled_from(NAMES), ODD_VALUES, max_size=2), max_size=2)))
def test_random_trees_never_raise(nodes, sheet):
    from poml.components import _render

    unexpected = []
    _render.ON_UNEXPECTED = lambda comp, exc: unexpected.append((comp.name, repr(exc)))
    sink = DiagnosticSink()
    try:
        root = build(nodes, sink=sink, stylesheet=sheet)
    except PomlError as exc:
        event("raised a PomlError")
        assert exc.diagnostic is not None and exc.diagnostic.message
        assert unexpected == []
        return
    finally:
        _render.ON_UNEXPECTED = None
    event("built with problems" if sink.items else "built cleanly")
    assert isinstance(root, Element)
    assert all(d.message for d in sink.items)
    # every failure is a reported problem with the input, never a Python error inside a component
    assert unexpected == []
    root.to_xml()


def _walk(el):
    stack = [el]
    while stack:
        e = stack.pop()
        yield e
        stack.extend(c for c in e.children if isinstance(c, Element))


@settings(max_examples=120, deadline=None)
@given(st.lists(calls(3), min_size=1, max_size=2))
def test_ir_attributes_are_strings(nodes):
    root = build(nodes, sink=DiagnosticSink())
    for e in _walk(root):
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in e.attrs.items())
        assert all(isinstance(c, (str, Element)) for c in e.children)
