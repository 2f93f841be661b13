"""The context/stylesheet arguments read the same in the API and both CLIs (poml._json_args)."""

from __future__ import annotations

import typing

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

import poml
from poml import PomlError
from poml._json_args import json_object_text, load_json_arg
from poml.cli import Format, app, entrypoint


@pytest.fixture
def page(tmp_path):
    f = tmp_path / "p.poml"
    f.write_text("<p>Hello {{x}}</p>")
    return f


@pytest.mark.parametrize("body, message", [
    ('{"x": 1,,}', r"ctx\.json:1:9: error: the context file is not valid JSON: Expecting property name"),
    ('[1, 2]', r"ctx\.json:1:1: error: the context file must hold a JSON object, not list"),
    ('[' * 100_000, r"ctx\.json:1:1: error: the context file is nested too deeply"),
])
def test_a_bad_context_file_names_the_file_and_place_everywhere(tmp_path, page, capsys, body, message):
    ctx = tmp_path / "ctx.json"
    ctx.write_text(body)
    with pytest.raises(PomlError, match=message):
        poml.poml(page, context=str(ctx))
    result = CliRunner().invoke(app, ["render", str(page), "--context", str(ctx)])
    assert result.exit_code != 0 and "ctx.json:1:" in result.output
    assert entrypoint(["-f", str(page), "--contextFile", str(ctx)]) == 1
    assert "ctx.json:1:" in capsys.readouterr().err


def test_inline_json_names_the_option(page, capsys):
    result = CliRunner().invoke(app, ["render", str(page), "--context", '{"x": }'])
    assert result.exit_code != 0 and "--context:1:7: error: the context is not valid JSON" in result.output
    assert entrypoint(["-f", str(page), "--stylesheet", "[1]"]) == 1
    assert "--stylesheet:1:1: error: the stylesheet must hold a JSON object, not list" in capsys.readouterr().err


def test_good_arguments_load(tmp_path, page):
    ctx = tmp_path / "ctx.json"
    ctx.write_text('{"x": 7}')
    assert poml.poml(page, context=str(ctx)) == [{"speaker": "human", "content": "Hello 7"}]
    assert load_json_arg(None, "context") is None and load_json_arg({"a": 1}, "context") == {"a": 1}
    with pytest.raises(PomlError, match="the context must be a dict or the path of a JSON file, not int"):
        load_json_arg(3, "context")


@given(st.dictionaries(st.text(max_size=5), st.integers() | st.text(max_size=5), max_size=5))
def test_inline_objects_round_trip(d):
    import json

    assert json_object_text(json.dumps(d), "--context", "context") == d


def test_one_list_of_output_formats_and_speakers():
    from renderers import FORMATS, VALID_SPEAKERS
    from renderers._models import Speaker
    from poml._api import OutputFormat
    from poml.components import essentials
    from poml.components._render import VALID_SPEAKERS as component_speakers

    assert typing.get_args(OutputFormat) == FORMATS
    assert [f.value for f in Format] == ["pretty", *FORMATS]
    assert set(typing.get_args(Speaker)) == set(VALID_SPEAKERS) and component_speakers is VALID_SPEAKERS
    assert set(essentials.SPEAKERS) | {"tool"} == set(VALID_SPEAKERS)
