"""Deep and cyclic values never crash the process or touch the interpreter's recursion limit."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

import poml
from poml.components._reuse import _freeze


def _in_subprocess(code: str) -> subprocess.CompletedProcess:
    # A crash (SIGSEGV) must show up as a failed test, not take the test run down.
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=60)


def test_a_let_rebinding_a_list_inside_a_long_loop_does_not_crash():
    proc = _in_subprocess("""
        import poml
        markup = '<poml><let name="d" value="{{ [] }}"/><p for="i in items"><let name="d" value="{{ [d] }}"/>x</p></poml>'
        try:
            poml.poml(markup, context={"items": list(range(100000))}, chat=False)
            print("rendered")
        except poml.PomlError as exc:
            print("PomlError", type(exc).__name__)
    """)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() in ("rendered", "PomlError PomlLimitError", "PomlError PomlSandboxError")


def test_a_cyclic_context_is_a_poml_error():
    proc = _in_subprocess("""
        import poml
        ctx = {"a": {}}
        ctx["a"]["self"] = ctx
        try:
            print(poml.poml('<p>{{ a }}</p><p>{{ JSON.stringify(a) }}</p>', context=ctx, chat=False)[:40])
        except poml.PomlError as exc:
            print("PomlError")
    """)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr


def test_the_recursion_limit_is_never_raised():
    before = sys.getrecursionlimit()
    deep = "<poml>" + "<cp caption='c'>" * 40 + "x" + "</cp>" * 40 + "</poml>"
    assert poml.poml(deep, chat=False).endswith("x")
    with pytest.raises(poml.PomlLimitError):
        poml.poml("<poml>" + "<p>" * 500 + "</p>" * 500 + "</poml>")
    assert sys.getrecursionlimit() == before


def test_cache_keys_give_up_instead_of_recursing():
    with pytest.raises(TypeError):
        _freeze(_nest_list(100_000))
    with pytest.raises(TypeError):  # only plain data makes a key
        _freeze({"a": [1, object()]})


@pytest.mark.parametrize("make", [lambda: _cycle(), lambda: _doubled(26),
                                  lambda: [list(range(50))] * 1000])
def test_cache_keys_of_shared_and_cyclic_values_are_small_and_quick(make):
    import time

    t0 = time.process_time()
    key = _freeze(make())
    assert time.process_time() - t0 < 0.1
    assert key == _freeze(make()) and len(repr(key)) < 100  # a digest, the same for equal data


def test_cache_keys_tell_apart_what_renders_differently():
    values = [1, 1.0, True, "1", [1], (1,), {"1": 1}, {"a": 1, "b": 2}, {"b": 2, "a": 1}, [[]], [{}], [-0.0], [0.5]]  # (-0 and 0 print alike)
    keys = [_freeze(v) for v in values]
    assert len(set(keys)) == len(values)


def _doubled(times):
    d: list = []
    for _ in range(times):
        d = [d, d]
    return d


def _nest_list(depth):
    v: list = []
    for _ in range(depth):
        v = [v]
    return v


def _cycle():
    d: dict = {}
    d["d"] = d
    return d
