"""Components live in a ComponentRegistry the Environment owns; every reader uses that object."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import poml
from poml.components import ComponentRegistry, Param, component, lookup
from poml.components._core import Host
from poml.components._registry import defined_in, one_line

ROOT = Path(__file__).resolve().parents[2]


@component("Shout", aliases=["yell"], bases=["Inline"], params=[
    Param("times", "number", description="How often to repeat the text."),
])
def _shout(props, children, ctx):
    """Upper-cased text, repeated."""
    text = "".join(c for c in children if isinstance(c, str)).upper()
    return [Host("p", {}, [" ".join([text] * int(props.get("times") or 1))])]


def _registry_with_shout() -> ComponentRegistry:
    registry = ComponentRegistry.builtin().copy()
    registry.register(_shout)
    return registry


def test_an_environment_renders_with_its_own_registry():
    env = poml.Environment(components=_registry_with_shout())
    assert env.render("<yell times='2'>hi</yell>", chat=False) == "HI HI"
    with pytest.raises(poml.PomlComponentError, match="Component yell not found"):
        poml.Environment().render("<yell>hi</yell>")
    assert lookup("yell") is None  # the built-in registry is untouched


def test_inherited_parameters_resolve_in_the_registry():
    registry = _registry_with_shout()
    names = [p.name for p in registry.get("shout").all_params()]
    assert names[0] == "times" and "whiteSpace" in names and "syntax" in names


def test_the_builtin_registry_is_frozen_and_shared():
    builtin = ComponentRegistry.builtin()
    assert builtin is ComponentRegistry.builtin() is poml.Environment().components
    with pytest.raises(ValueError, match="frozen"):
        builtin.register(_shout)
    copy = builtin.copy()
    with pytest.raises(ValueError, match='Alias "p" is already used by Paragraph'):
        copy.register(component("Para", aliases=["p"])(lambda p, c, x: []))


def test_media_files_are_read_by_the_registrys_loader(tmp_path):
    seen = []
    registry = ComponentRegistry.builtin().copy()

    def loader(kind, src, props, ctx):
        seen.append((kind, src))
        return "aGk=", "image/png"

    registry.media_loader = loader
    out = poml.Environment(components=registry).render('<img src="x.png" alt="x"/>', chat=False)
    assert seen == [("image", "x.png")]
    assert out == [{"type": "image/png", "base64": "aGk=", "alt": "x"}]


def test_registration_follows_the_modules_definition_order():
    from poml.components import essentials, instructions

    names = [c.name for c in defined_in(essentials)]
    assert names[:4] == ["AnyOrFree", "Text", "Paragraph", "Inline"]
    assert "Caption" not in [c.name for c in defined_in(instructions)]  # imported there, not defined


def test_the_language_server_reads_the_environments_registry():
    pytest.importorskip("lsprotocol", reason="the language server needs the lsp extra")
    from poml.lsp._engine import WorkspaceEngine
    from poml.lsp._features import complete, hover
    from poml.lsp._positions import LineIndex

    engine = WorkspaceEngine(env=poml.Environment(components=_registry_with_shout()))
    text = '<poml><yell times="2" tims="3">hi</yell></poml>'
    analysis = engine.analyze("file:///a.poml", text, None)
    assert "yell" in [item.label for item in complete(analysis, len("<poml><"))]
    assert "Upper-cased text" in hover(analysis, LineIndex(text), text.index("yell")).contents.value
    unknown = [d.message for d in analysis.diagnostics if d.severity == "warning"]
    assert unknown == ['Unknown attribute "tims" for <yell>.']


def test_poml_components_prints_the_default_environments_registry():
    out = subprocess.run([sys.executable, "-m", "poml", "components"], capture_output=True, text=True,
                         cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, timeout=60)
    assert out.returncode == 0, out.stderr
    expected = [one_line(c) for c in poml.Environment().components.listing()]
    assert out.stdout.splitlines() == expected
