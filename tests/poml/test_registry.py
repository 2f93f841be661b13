"""Components live in a ComponentRegistry the Environment owns; every reader uses that object."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import poml
from poml.components import ComponentRegistry, Param, component, lookup
from poml.components._nodes import Host
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
    unknown = [d.message for d in engine.diagnose(analysis) if d.severity == "warning"]
    assert unknown == ['Unknown attribute "tims" for <yell>.']


def test_poml_components_prints_the_default_environments_registry():
    out = subprocess.run([sys.executable, "-m", "poml", "components"], capture_output=True, text=True,
                         cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, timeout=60)
    assert out.returncode == 0, out.stderr
    expected = [one_line(c) for c in poml.Environment().components.listing()]
    assert out.stdout.splitlines() == expected


# ----------------------------------------------------------------------------- readers of the registry

def test_docs_components_md_is_the_registry():
    """Regenerate with: python -c "from poml.components import ComponentRegistry as R; from
    poml.components._registry import update_reference as u; p='docs/components.md';
    open(p,'w').write(u(open(p).read(), R.builtin()))" """
    import re

    from poml.components._registry import update_reference

    text = (ROOT / "docs" / "components.md").read_text(encoding="utf-8")
    registry = ComponentRegistry.builtin()
    assert update_reference(text, registry) == text
    documented = re.findall(r"^#### `(\w+)`", text, re.M)
    assert sorted(documented) == sorted(c.name for c in registry.components())




@pytest.mark.parametrize("comp", [c for c in ComponentRegistry.builtin().components() if c.name != "Text"],
                         ids=lambda c: c.name)
def test_every_parameter_of_a_component_is_in_its_builder_method(comp):
    import inspect
    from typing import Optional

    from poml import Prompt
    from poml._prompt import method_name, python_type

    method = getattr(Prompt, method_name(comp.name))
    sig = inspect.signature(method)
    doc = method.__doc__
    expected = comp.all_params()
    assert [n for n in sig.parameters if n not in ("self", "kwargs")] == [p.name for p in expected]
    own = {p.name for p in comp.params}
    for p in expected:
        param = sig.parameters[p.name]
        assert param.annotation == Optional[python_type(p)], p.name
        want = inspect.Parameter.POSITIONAL_OR_KEYWORD if p.name in own else inspect.Parameter.KEYWORD_ONLY
        assert param.kind is want, p.name
        assert f"    {p.name} ({p.type}, optional): {p.description}" in doc, p.name
    with Prompt() as prompt:
        handle = method(prompt, **{p.name: "v" for p in expected})
    assert handle.element.tag == comp.name
    assert list(handle.element.attrib) == [p.name for p in expected]  # text values: buffer stays buffer


def test_text_documents_every_attribute_of_text():
    from poml import Prompt

    for p in ComponentRegistry.builtin().get("Text").all_params():
        assert f"        {p.name} ({p.type}): {p.description}" in Prompt.text.__doc__


def test_folder_filter_has_one_type_everywhere():
    from poml import Prompt

    param = ComponentRegistry.builtin().get("Folder").param_map["filter"]
    assert param.type == "RegExp"
    assert "filter (RegExp, optional)" in Prompt.folder.__doc__
    assert "| `filter` | RegExp |" in (ROOT / "docs" / "components.md").read_text(encoding="utf-8")


def test_the_builders_method_list_in_its_docs_is_complete():
    import re

    from poml._prompt import TAGS

    text = (ROOT / "docs" / "prompt-builder.md").read_text(encoding="utf-8")
    section = text[text.index("## Methods"):text.index("`text` does two things")]
    assert sorted(re.findall(r"`(\w+)`", section)) == sorted(row[0] for row in TAGS)


def test_the_builtin_registry_is_made_once_across_threads():
    from concurrent.futures import ThreadPoolExecutor

    from poml._once import Once

    made = []

    def factory():
        made.append(1)
        return object()

    once = Once(factory)
    with ThreadPoolExecutor(8) as pool:
        values = list(pool.map(lambda _: once.get(), range(64)))
    assert len(made) == 1 and all(v is values[0] for v in values)


def test_one_rule_for_hyphenated_names_in_the_engine_the_registry_and_the_editor():
    from hypothesis import given, strategies as st

    from poml._names import hyphen_to_camel

    assert hyphen_to_camel("caption-style") == "captionStyle" and hyphen_to_camel("a-B") == "a-B"

    @given(st.sampled_from(["caption-style", "caption-serialized", "list-style", "white-space"]))
    def hyphenated_attributes_render_as_their_camel_case(attr):
        markup = f'<poml><cp caption="C" {attr}="x">t</cp></poml>'
        hyphenated = poml.Environment(strict=False).render_text(markup)
        camel = poml.Environment(strict=False).render_text(markup.replace(attr, hyphen_to_camel(attr)))
        assert hyphenated.messages == camel.messages
        assert [d.message for d in hyphenated.diagnostics] == [d.message for d in camel.diagnostics]

    hyphenated_attributes_render_as_their_camel_case()


def test_a_tag_looked_up_before_registration_is_found_after_it():
    """Lookups are remembered per spelling; registering a component must forget the misses."""
    registry = ComponentRegistry.builtin().copy()
    assert registry.lookup("Yell") is None and registry.lookup("yell") is None
    registry.register(_shout)
    assert registry.lookup("Yell") is registry.lookup("yell") is _shout


def test_remembered_spellings_are_bounded_and_disabled_aliases_are_not_remembered():
    from poml.components._registry import _MAX_TAG_SPELLINGS

    registry = ComponentRegistry.builtin().copy()
    for i in range(_MAX_TAG_SPELLINGS + 500):  # markup may invent any number of tag names
        assert registry.lookup(f"made-up-{i}") is None
    assert len(registry._by_tag) == _MAX_TAG_SPELLINGS
    assert registry.lookup("P") is registry.get("paragraph")  # still answered past the bound
    assert registry.lookup("p", disabled=frozenset({"p"})) is None
    assert registry.lookup("p") is registry.get("paragraph")
