"""The drop-in API: paths vs strings, context and stylesheet arguments, formats, errors, caching."""

from __future__ import annotations

import json
import warnings

import pytest

import poml
from poml import _api


def test_string_markup_renders_with_context():
    assert poml.poml("<p>Hello {{name}}!</p>", context={"name": "World"}) == [
        {"speaker": "human", "content": "Hello World!"}]


def test_file_markup_and_json_file_context(tmp_path):
    (tmp_path / "p.poml").write_text("<poml><task>Greet {{ who }}</task></poml>")
    (tmp_path / "ctx.json").write_text(json.dumps({"who": "Ada"}))
    out = poml.poml(str(tmp_path / "p.poml"), context=str(tmp_path / "ctx.json"), chat=False)
    assert out == "# Task\n\nGreet Ada"


def test_missing_path_object_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match="markup file does not exist") as info:
        poml.poml(tmp_path / "nope.poml")
    assert isinstance(info.value, poml.PomlFileError)


def test_missing_context_file_is_file_not_found():
    with pytest.raises(FileNotFoundError):
        poml.poml("<p>x</p>", context="no/such/context.json")


def test_a_string_ending_in_poml_names_a_file():
    with pytest.raises(poml.PomlFileNotFoundError, match="prompts/missing.poml: error: the markup file does not exist"):
        poml.poml("prompts/missing.poml", chat=False)


def test_a_string_naming_another_existing_file_is_markup_text(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "secret.txt").write_text("TOP SECRET")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = poml.poml("secret.txt", chat=False)
    assert out == "secret.txt"
    assert any("pass file='secret.txt'" in str(w.message) for w in caught)
    assert poml.poml(file="secret.txt", chat=False) == "TOP SECRET"


def test_stylesheet_dict_changes_presentation():
    out = poml.poml("<poml><task>Do it.</task></poml>", stylesheet={"task": {"captionStyle": "bold"}}, chat=False)
    assert out == "**Task:** Do it."


def test_output_file_receives_the_raw_result(tmp_path):
    target = tmp_path / "out.json"
    result = poml.poml("<p>hi</p>", output_file=str(target))
    assert json.loads(target.read_text()) == {"messages": result}


def test_every_format_agrees_on_the_messages():
    markup = "<poml><system-msg>Be brief.</system-msg><human-msg>Hi</human-msg></poml>"
    messages = poml.poml(markup)
    assert poml.poml(markup, format="dict")["messages"] == messages
    assert json.loads(poml.poml(markup, format="raw"))["messages"] == messages
    assert [m["role"] for m in poml.poml(markup, format="openai_chat")["messages"]] == ["system", "user"]
    assert [m["type"] for m in poml.poml(markup, format="langchain")["messages"]] == ["system", "human"]
    frame = poml.poml(markup, format="pydantic")
    assert [m.speaker for m in frame.messages] == ["system", "human"]


def test_unknown_format_is_a_value_error():
    with pytest.raises(ValueError, match="Unknown output format"):
        poml.poml("<p>x</p>", format="yaml-please")


def test_schema_tools_and_runtime_reach_the_dict_format():
    markup = """<poml>
      <p>q</p>
      <output-schema>{"type": "object", "properties": {"a": {"type": "string"}}}</output-schema>
      <tool-definition name="lookup" description="Find things">{"type": "object"}</tool-definition>
      <runtime temperature="0.5" max-tokens="100"/>
    </poml>"""
    out = poml.poml(markup, format="dict")
    assert out["schema"]["properties"]["a"] == {"type": "string"}
    assert out["tools"] == [{"type": "function", "name": "lookup", "description": "Find things",
                             "parameters": {"type": "object"}}]
    assert out["runtime"] == {"temperature": 0.5, "maxTokens": 100}
    openai = poml.poml(markup, format="openai_chat")
    assert openai["max_tokens"] == 100 and openai["response_format"]["type"] == "json_schema"


def test_zod_style_schemas_are_evaluated_in_the_sandbox():
    out = poml.poml('<poml><p>q</p><output-schema parser="eval">'
                    'z.object({n: z.number().int().describe("count"), tag: z.string().optional()})'
                    '</output-schema></poml>', format="dict")
    assert out["schema"] == {"type": "object", "properties": {
        "n": {"type": "integer", "description": "count"}, "tag": {"type": "string"}},
        "required": ["n"], "additionalProperties": False}


@pytest.mark.parametrize("schema", [
    {"type": "object", "properties": {"n": {"type": "number", "minimum": 1.0}}, "required": ["n"]},  # one walk
    {"type": "object", "properties": {"2": {"type": "string"}, "1": {"type": "number"}}},  # index keys: printed
    {"type": "array", "prefixItems": ({"const": 2 ** 60},)},  # a tuple and a big integer: printed
])
def test_a_schema_from_the_context_is_what_json_reads_from_its_printed_text(schema):
    from poml.template.js import js_json_stringify

    out = poml.poml("<poml><p>q</p><output-schema>{{ schema }}</output-schema></poml>",
                    context={"schema": schema}, format="dict")
    expected = json.loads(js_json_stringify(schema))
    assert out["schema"] == expected and json.dumps(out["schema"]) == json.dumps(expected)  # 1.0 reads as 1
    out["schema"]["type"] = "changed"  # the result is the caller's own copy
    assert schema["type"] != "changed"


def test_a_schema_from_the_context_is_charged_to_the_render_budget():
    schema = {"type": "object", "properties": {f"p{i}": {"type": "string"} for i in range(2000)}}
    markup = "<poml><p>q</p><output-schema>{{ schema }}</output-schema></poml>"
    assert len(poml.Environment().render(markup, context={"schema": schema}, format="dict")["schema"]["properties"]) == 2000
    with pytest.raises(poml.PomlLimitError, match="work budget"):
        poml.Environment(limits={"work": 1500}).render(markup, context={"schema": schema})


# ------------------------------------------------------------------- errors


def _error(markup: str, **kwargs) -> poml.PomlError:
    with pytest.raises(poml.PomlError) as info:
        poml.poml(markup, **kwargs)
    return info.value


def test_unknown_component_suggests_the_nearest_names():
    err = _error("<poml>\n  <tsak>x</tsak>\n</poml>")
    assert isinstance(err, poml.PomlComponentError)
    assert (err.line, err.column) == (2, 4)
    assert "Do you mean: task" in str(err)
    assert "  2 |   <tsak>x</tsak>" in str(err) and "^^^^" in str(err)


def test_undefined_variable_points_at_the_expression():
    err = _error("<poml><p>Hi {{ nmae }}</p></poml>")
    assert isinstance(err, poml.PomlTemplateError)
    assert "nmae is not defined" in str(err)
    assert err.column == 16


def test_bad_attribute_value_names_the_attribute():
    err = _error('<poml><example chat="yes"><input>a</input></example></poml>')
    assert isinstance(err, poml.PomlComponentError) and '"chat" should be a boolean' in str(err)


def test_unclosed_tag_is_a_syntax_error_at_the_tag():
    err = _error("<poml>\n<p>hello\n</poml>")
    assert isinstance(err, poml.PomlSyntaxError)
    assert err.line == 1 and "not closed" in str(err)


def test_missing_include_names_the_file(tmp_path):
    (tmp_path / "main.poml").write_text('<poml><include src="gone.poml"/></poml>')
    with pytest.raises(poml.PomlFileError) as info:
        poml.poml(tmp_path / "main.poml")
    assert "gone.poml" in str(info.value) and str(tmp_path / "main.poml") in str(info.value)


def test_two_output_schemas_are_refused():
    err = _error('<poml><output-schema>{"type":"string"}</output-schema>'
                 '<output-schema>{"type":"string"}</output-schema></poml>')
    assert "Multiple output-schema" in str(err)


def test_non_strict_mode_renders_what_it_can_and_warns_where_it_repaired():
    with pytest.warns(poml.PomlWarning, match=r"<string>:1:17: warning: Unknown tag <tsak>"):
        out = poml.poml("<poml><p>ok</p><tsak>x</tsak></poml>", chat=False, extra_args=["--strict", "false"])
    assert out == "ok\n\n# tsak\n\nx"  # lenient: the unknown tag is a captioned section, not dropped


def test_unterminated_interpolation_warns_with_its_place():
    with pytest.warns(poml.PomlWarning, match=r"<string>:1:10: warning: unterminated"):
        out = poml.poml("<p>Hello {{ name</p>", chat=False)
    assert out == "Hello {{ name"


def test_errors_in_included_files_point_into_them(tmp_path):
    (tmp_path / "part.poml").write_text("<poml>\n<p>{{ missing }}</p>\n</poml>")
    (tmp_path / "main.poml").write_text('<poml><include src="part.poml"/></poml>')
    with pytest.raises(poml.PomlTemplateError) as info:
        poml.poml(tmp_path / "main.poml")
    assert info.value.path.endswith("part.poml") and info.value.line == 2


# ------------------------------------------------------------------ caching


def test_the_same_markup_is_parsed_once(monkeypatch):
    calls = []
    import poml.syntax

    real = poml.syntax.parse_markup
    monkeypatch.setattr(poml.syntax, "parse_markup", lambda text: calls.append(text) or real(text))
    _api.clear_caches()
    markup = "<poml><p>{{ a }}</p></poml>"
    assert poml.poml(markup, context={"a": 1}, chat=False) == "1"
    assert poml.poml(markup, context={"a": 2}, chat=False) == "2"
    assert calls == [markup]


def test_an_edited_file_is_read_again(tmp_path):
    f = tmp_path / "p.poml"
    f.write_text("<p>one</p>")
    assert poml.poml(f, chat=False) == "one"
    f.write_text("<p>two, longer</p>")
    assert poml.poml(f, chat=False) == "two, longer"


def test_loop_copies_of_static_children_render_independently():
    out = poml.poml('<poml><list><item for="x in xs"><b>k</b>: {{x}}</item></list></poml>',
                    context={"xs": [1, 2]}, chat=False)
    assert out == "- **k**: 1\n- **k**: 2"


def test_unclosed_tag_hint_names_the_tag_that_lost_its_close():
    err = _error("<poml><p>unterminated <b>bold</p></poml>")
    assert "</p> at 1:30 closed <b> (opened at 1:23); is </b> missing?" in str(err)


def test_undefined_variable_hint_says_where_values_come_from():
    err = _error("<poml><p>{{ user }}</p></poml>")
    assert "context" in err.diagnostic.hint


def test_token_limits_without_tiktoken_are_a_clear_error(monkeypatch):
    import renderers._tokens as tokens

    def missing(*args, **kwargs):
        raise tokens.TokenizerUnavailable('Token limits need tiktoken: pip install "poml-native[tokens]"')

    monkeypatch.setattr(tokens, "get_encoding", missing)
    err = _error('<poml><p tokenLimit="1">hello world, this is long</p></poml>', chat=False)
    assert isinstance(err, poml.PomlRenderError) and "poml-native[tokens]" in str(err)
    assert "Traceback" not in str(err) and err.line == 1


def test_let_typed_undefined_is_the_templates_undefined():
    out = poml.poml('<poml><let name="u" type="undefined">x</let><p>[{{ typeof u }}]</p></poml>', chat=False)
    assert out == "[undefined]"
