"""One end-to-end test per language-server feature, over stdio, as VS Code would talk to it."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.uris import from_fs_path

pytestmark = pytest.mark.asyncio(loop_scope="module")

EMOJI_DOC = '<poml>\n  <p>😀 naïve {{ missing }}</p>\n</poml>\n'


def open_doc(client, path: Path, text: str | None = None) -> str:
    uri = from_fs_path(str(path))
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=uri, language_id="poml", version=1, text=path.read_text(encoding="utf-8") if text is None else text)))
    return uri


async def pull(client, uri: str) -> list[types.Diagnostic]:
    report = await client.text_document_diagnostic_async(types.DocumentDiagnosticParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    return list(report.items)


def plain(value):
    """The client hands back unknown JSON as named tuples; turn them back into dicts and lists."""
    if hasattr(value, "_asdict"):
        return {k: plain(v) for k, v in value._asdict().items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


async def preview(client, uri, context, chat):
    return plain(await client.protocol.send_request_async("poml/preview", {"uri": uri, "context": context, "chat": chat}))


def pos(line: int, character: int) -> types.Position:
    return types.Position(line=line, character=character)


def doc_id(uri: str) -> types.TextDocumentIdentifier:
    return types.TextDocumentIdentifier(uri=uri)


async def test_pull_diagnostics_bad_syntax_fixture(client, fixtures):
    uri = open_doc(client, fixtures / "badSyntaxLsp.poml")
    items = await pull(client, uri)
    assert items and items[0].severity == types.DiagnosticSeverity.Error
    assert items[0].range.start.line == 0


async def test_push_diagnostics_on_open(client, fixtures):
    uri = open_doc(client, fixtures / "badSyntax.poml")
    for _ in range(3000):  # the push may come after, or with, other files' pushes
        if client.diagnostics.get(uri):
            break
        await asyncio.sleep(0.01)
    assert client.diagnostics[uri]


async def test_clean_fixture_has_no_diagnostics(client, fixtures):
    uri = open_doc(client, fixtures / "test.poml")
    assert await pull(client, uri) == []


async def test_error_inside_included_file_points_there(client, fixtures):
    uri = open_doc(client, fixtures / "includeMain.poml")
    items = await pull(client, uri)
    assert len(items) == 1
    d = items[0]
    # shown on the src value of <include src="badInclude.poml"/> ...
    text = (fixtures / "includeMain.poml").read_text()
    assert d.range.start.character == text.index("badInclude.poml")
    # ... with related information pointing into the included file
    assert d.related_information and d.related_information[0].location.uri.endswith("badInclude.poml")


async def test_missing_include_and_file(client, tmp_path):
    text = '<poml>\n<include src="nope.poml"/>\n<img src="gone.png"/>\n</poml>'
    uri = open_doc(client, tmp_path / "a.poml", text)
    messages = [d.message for d in await pull(client, uri)]
    assert any("nope.poml" in m for m in messages) and any("gone.png" in m for m in messages)


async def test_unknown_component_and_attribute_with_suggestions(client, tmp_path):
    text = '<poml>\n<tsak>x</tsak>\n<p speker="ai">y</p>\n</poml>'
    uri = open_doc(client, tmp_path / "a.poml", text)
    items = await pull(client, uri)
    by_line = {d.range.start.line: d for d in items}
    assert "task" in by_line[1].message
    assert "speaker" in by_line[2].message and by_line[2].severity == types.DiagnosticSeverity.Warning
    assert by_line[2].range.start.character == 3 and by_line[2].range.end.character == 9


async def test_bad_attribute_value(client, tmp_path):
    uri = open_doc(client, tmp_path / "a.poml", '<poml><p syntax="nope">y</p></poml>')
    assert any("should be one of" in d.message for d in await pull(client, uri))


async def test_template_error_position_in_utf16_after_emoji(client, tmp_path):
    uri = open_doc(client, tmp_path / "a.poml", EMOJI_DOC)
    [d] = await pull(client, uri)
    line = EMOJI_DOC.splitlines()[1]
    code_points = line.index("missing")
    # the emoji is one code point but two UTF-16 units
    assert d.range.start == pos(1, code_points + 1)
    assert "missing is not defined" in d.message
    assert "no a.context.json next to this prompt" in d.message  # a missing paired context is named


async def test_paired_context_used_and_invalid_reported(client, tmp_path):
    (tmp_path / "a.context.json").write_text(json.dumps({"missing": "here"}))
    uri = open_doc(client, tmp_path / "a.poml", EMOJI_DOC)
    assert await pull(client, uri) == []
    (tmp_path / "b.context.json").write_text('{"x": ')
    uri_b = open_doc(client, tmp_path / "b.poml", EMOJI_DOC)
    items = await pull(client, uri_b)
    bad = [d for d in items if d.code == "invalid-context"]
    assert bad and bad[0].related_information[0].location.uri.endswith("b.context.json")


async def test_invalid_stylesheet_reported(client, tmp_path):
    (tmp_path / "a.stylesheet.json").write_text("[1, 2]")
    uri = open_doc(client, tmp_path / "a.poml", "<p>hi</p>")
    assert any(d.code == "invalid-stylesheet" and "JSON object" in d.message for d in await pull(client, uri))


async def test_diagnostics_follow_edits(client, tmp_path):
    uri = open_doc(client, tmp_path / "a.poml", "<p>hi</p>")
    assert await pull(client, uri) == []
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
        content_changes=[types.TextDocumentContentChangePartial(
            range=types.Range(start=pos(0, 3), end=pos(0, 5)), text="{{ oops(}}")]))
    items = await pull(client, uri)
    assert items and items[0].code == "PomlTemplateError"


async def test_completion_tags_with_closing(client, tmp_path):
    uri = open_doc(client, tmp_path / "a.poml", "<poml>\n  <\n</poml>")
    result = await client.text_document_completion_async(types.CompletionParams(
        text_document=doc_id(uri), position=pos(1, 3)))
    labels = {i.label: i for i in result.items}
    assert "Task" in labels and labels["Task"].insert_text == "Task>$0</Task>"
    assert labels["p"].detail == "Paragraph"


async def test_completion_closing_tag(client, tmp_path):
    uri = open_doc(client, tmp_path / "a.poml", "<poml>\n  <task>do it</")
    result = await client.text_document_completion_async(types.CompletionParams(
        text_document=doc_id(uri), position=pos(1, 16)))
    assert [i.insert_text for i in result.items] == ["task>"]


async def test_completion_attribute_names_and_values(client, tmp_path):
    uri = open_doc(client, tmp_path / "a.poml", '<poml>\n<p sp>x</p>\n<p syntax="">y</p>\n</poml>')
    names = await client.text_document_completion_async(types.CompletionParams(
        text_document=doc_id(uri), position=pos(1, 5)))
    assert {"speaker", "syntax", "if", "for"} <= {i.label for i in names.items}
    values = await client.text_document_completion_async(types.CompletionParams(
        text_document=doc_id(uri), position=pos(2, 11)))
    assert {"markdown", "json", "xml"} <= {i.label for i in values.items}


async def test_completion_variables_in_expressions(client, tmp_path):
    (tmp_path / "a.context.json").write_text(json.dumps({"user": "Ada"}))
    uri = open_doc(client, tmp_path / "a.poml", '<poml>\n<let name="topic" value="1"/>\n<p>{{ }}</p>\n</poml>')
    result = await client.text_document_completion_async(types.CompletionParams(
        text_document=doc_id(uri), position=pos(2, 6)))
    assert {"user", "topic"} <= {i.label for i in result.items}


async def test_hover_component_and_attribute(client, tmp_path):
    uri = open_doc(client, tmp_path / "a.poml", '<p speaker="ai">x</p>')
    tag = await client.text_document_hover_async(types.HoverParams(text_document=doc_id(uri), position=pos(0, 1)))
    assert "Paragraph" in tag.contents.value and "speaker" in tag.contents.value
    attr = await client.text_document_hover_async(types.HoverParams(text_document=doc_id(uri), position=pos(0, 4)))
    assert "human" in attr.contents.value and "ai" in attr.contents.value


async def test_definition_of_include_and_let(client, fixtures, tmp_path):
    uri = open_doc(client, fixtures / "includeMain.poml")
    text = (fixtures / "includeMain.poml").read_text()
    loc = await client.text_document_definition_async(types.DefinitionParams(
        text_document=doc_id(uri), position=pos(0, text.index("badInclude") + 2)))
    assert loc.uri.endswith("badInclude.poml")
    uri2 = open_doc(client, tmp_path / "b.poml", '<poml>\n<let name="n" value="2"/>\n<p>{{ n * 2 }}</p>\n</poml>')
    loc2 = await client.text_document_definition_async(types.DefinitionParams(
        text_document=doc_id(uri2), position=pos(2, 6)))
    assert loc2.range.start == pos(1, 11)


async def test_references_and_rename_of_let(client, tmp_path):
    text = '<poml>\n<let name="n" value="2"/>\n<p if="n > 1">{{ n * 2 }} {{ x.n }} {{ "n" }}</p>\n</poml>'
    uri = open_doc(client, tmp_path / "a.poml", text)
    refs = await client.text_document_references_async(types.ReferenceParams(
        text_document=doc_id(uri), position=pos(1, 11), context=types.ReferenceContext(include_declaration=True)))
    assert sorted((r.range.start.line, r.range.start.character) for r in refs) == [(1, 11), (2, 7), (2, 17)]
    edit = await client.text_document_rename_async(types.RenameParams(
        text_document=doc_id(uri), position=pos(2, 17), new_name="count"))
    assert len(edit.changes[uri]) == 3 and {e.new_text for e in edit.changes[uri]} == {"count"}


async def test_document_symbols(client, fixtures):
    uri = open_doc(client, fixtures / "includeMain.poml")
    [root] = await client.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=doc_id(uri)))
    assert root.name == "poml" and [c.name for c in root.children] == ["include"]


async def test_folding_ranges(client, tmp_path):
    uri = open_doc(client, tmp_path / "a.poml", "<poml>\n  <task>\n    x\n  </task>\n</poml>\n")
    ranges = await client.text_document_folding_range_async(types.FoldingRangeParams(text_document=doc_id(uri)))
    assert {(r.start_line, r.end_line) for r in ranges} == {(0, 4), (1, 3)}


async def test_semantic_tokens_for_expressions(client, tmp_path):
    uri = open_doc(client, tmp_path / "a.poml", '<p>😀{{ a.b + 1 }}</p>')
    tokens = await client.text_document_semantic_tokens_full_async(types.SemanticTokensParams(text_document=doc_id(uri)))
    data = tokens.data
    quads = [data[i:i + 5] for i in range(0, len(data), 5)]
    # "{{" starts after "<p>" (3 units) and the emoji (2 units)
    assert list(quads[0]) == [0, 5, 2, 0, 0]
    assert [q[3] for q in quads] == [0, 1, 4, 3, 0]  # {{ a .b 1 }}


async def test_code_lens_and_evaluate(client, tmp_path):
    (tmp_path / "a.context.json").write_text(json.dumps({"items": [1, 2, 3]}))
    text = '<poml>\n<let name="k" value="items.length"/>\n<p for="i in items" if="k > 1">{{ i * k }}</p>\n</poml>'
    uri = open_doc(client, tmp_path / "a.poml", text)
    lenses = await client.text_document_code_lens_async(types.CodeLensParams(text_document=doc_id(uri)))
    assert len(lenses) == 4
    by_expr = {lens.command.arguments[1]: lens.command for lens in lenses}
    cmd = by_expr["items"]
    result = await client.workspace_execute_command_async(types.ExecuteCommandParams(
        command=cmd.command, arguments=cmd.arguments))
    assert result["value"] == [1, 2, 3]
    cond = by_expr["k > 1"]
    result = await client.workspace_execute_command_async(types.ExecuteCommandParams(
        command=cond.command, arguments=cond.arguments))
    assert result["value"] is True and result["error"] is None
    # the editor's own Evaluate command sends one object with the selection's range
    spec = {"uri": uri, "expression": "i * k", "range": {"start": {"line": 2, "character": 40}, "end": {"line": 2, "character": 45}}}
    result = await client.workspace_execute_command_async(types.ExecuteCommandParams(command=cmd.command, arguments=[spec]))
    assert "i is not defined" in result["error"]  # the loop variable exists only while rendering
    spec["expression"] = "k * 10"
    result = await client.workspace_execute_command_async(types.ExecuteCommandParams(command=cmd.command, arguments=[spec]))
    assert result["value"] == 30


async def test_preview_request(client, tmp_path):
    text = '<poml>\n<system-msg>Be brief.</system-msg>\n<human-msg># Ask\n{{ q }} 😀</human-msg>\n</poml>'
    uri = open_doc(client, tmp_path / "a.poml", text)
    result = await preview(client, uri, {"q": "Why?"}, True)
    msgs = result["messages"]
    assert [m["speaker"] for m in msgs] == ["system", "human"]
    assert "Why? 😀" in msgs[1]["content"] and all(m["tokens"] > 0 for m in msgs)
    assert result["totalTokens"] == sum(m["tokens"] for m in msgs) and result["error"] is None
    assert result["sections"][0]["name"].startswith("Ask") and result["sections"][0]["tokens"] > 0
    bad = await preview(client, uri, None, False)
    assert "q is not defined" in bad["error"]


def apply_edits(text: str, edits) -> str:
    from poml.lsp._positions import LineIndex

    index = LineIndex(text)
    spans = sorted(((index.offset(e.range.start), index.offset(e.range.end), e.new_text) for e in edits), reverse=True)
    for s, e, new in spans:
        text = text[:s] + new + text[e:]
    return text


async def test_formatting_is_idempotent_and_keeps_every_example_rendering(client, tmp_path):
    from poml._api import render_text

    examples = sorted(Path("/work/shared/poml-examples/examples").glob("*.poml"))
    if not examples:
        pytest.skip("the reference examples are not on this machine")
    messy = tmp_path / "messy.poml"
    messy.write_text('<poml>\n<p   speaker = "ai"  >a  b</p><img src="x.png"/>\n<let name="a"\n   value="1"   />\n</poml>')
    changed, results = 0, {}
    for path in [messy, *examples]:
        text = path.read_text(encoding="utf-8")
        opts = types.FormattingOptions(tab_size=2, insert_spaces=True)
        uri = open_doc(client, path, text)
        edits = await client.text_document_formatting_async(types.DocumentFormattingParams(text_document=doc_id(uri), options=opts))
        formatted = apply_edits(text, edits or [])
        changed += formatted != text
        results[path] = formatted
        before = render_text(text, path=str(path), strict=False)
        after = render_text(formatted, path=str(path), strict=False)
        assert after.messages == before.messages, path.name
        assert [d.message for d in after.diagnostics] == [d.message for d in before.diagnostics], path.name
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=formatted)]))
        again = await client.text_document_formatting_async(types.DocumentFormattingParams(text_document=doc_id(uri), options=opts))
        assert not again, f"formatting {path.name} twice changed it again"
    assert changed >= 2
    assert results[messy] == '<poml>\n<p speaker="ai">a  b</p><img src="x.png" />\n<let name="a"\n   value="1" />\n</poml>'


DATA = Path(__file__).parent / "data"


async def test_own_non_ascii_file_positions_and_preview(client):
    path = DATA / "unicode.poml"
    text = path.read_text(encoding="utf-8")
    uri = open_doc(client, path)
    [d] = await pull(client, uri)  # the paired context defines {{ niveau }}; only the misspelt attribute is left
    line = text.splitlines()[4]
    assert d.range.start == pos(4, line.index("synatx")) and "syntax" in d.message
    # hover on <task> one line below emoji and CJK text
    hov = await client.text_document_hover_async(types.HoverParams(text_document=doc_id(uri), position=pos(3, 3)))
    assert "Task" in hov.contents.value
    # go to the <let> from its use after «, whose column counts the emoji of line 2 not at all
    use_line = text.splitlines()[3]
    loc = await client.text_document_definition_async(types.DefinitionParams(
        text_document=doc_id(uri), position=pos(3, use_line.index("sujet") + 1)))
    assert loc.range.start == pos(2, text.splitlines()[2].index("sujet"))
    result = await preview(client, uri, None, True)
    assert "débutant 🚀" in result["messages"][0]["content"] and "café ☕" in result["messages"][0]["content"]


async def test_semantic_tokens_columns_after_emoji_on_own_file(client):
    path = DATA / "unicode.poml"
    uri = open_doc(client, path)
    tokens = await client.text_document_semantic_tokens_full_async(types.SemanticTokensParams(text_document=doc_id(uri)))
    data = list(tokens.data)
    line3 = path.read_text(encoding="utf-8").splitlines()[3]
    # absolute UTF-16 column of each token on line 3 must hit a "{{", a name or a "}}"
    line, col, found = 0, 0, []
    for i in range(0, len(data), 5):
        line = line + data[i]
        col = data[i + 1] if data[i] else col + data[i + 1]
        if line == 3:
            units = line3.encode("utf-16-le")
            found.append(units[2 * col:2 * (col + data[i + 2])].decode("utf-16-le"))
    assert found == ["{{", "sujet", "}}", "{{", "niveau", "}}"]
