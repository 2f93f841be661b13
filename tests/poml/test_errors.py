"""The error path: kinds are classes, one translation table, one boundary, errors that pickle."""

from __future__ import annotations

import multiprocessing
import pickle
from multiprocessing.reduction import ForkingPickler

import pytest
from hypothesis import assume, given, settings, strategies as st

import poml
from poml import _errors
from poml._errors import (
    Diagnostic, PomlComponentError, PomlError, PomlFileError, PomlFileNotFoundError, PomlLimitError,
    PomlRenderError, PomlSandboxError, PomlSyntaxError, PomlTemplateError, error_class, translated,
)
from poml._source import Source


def _all_subclasses(cls: type) -> list[type]:
    out, todo = [], [cls]
    while todo:
        c = todo.pop()
        out.append(c)
        todo.extend(c.__subclasses__())
    return out


def _project_error_classes() -> list[type]:
    import backends
    import compressor  # noqa: F401
    import renderers
    from compressor._errors import CompressorError
    from compressor.train import _errors as _train_errors  # noqa: F401  (defines subclasses)
    from poml.components._nodes import ReadError
    from poml.template.js import ExpressionError

    roots = [PomlError, ExpressionError, renderers.RenderIssue, ReadError, CompressorError, backends.BackendError]
    return sorted({c for r in roots for c in _all_subclasses(r) if c.__module__.split(".")[0] in
                   ("poml", "renderers", "compressor", "backends")}, key=lambda c: c.__qualname__)


def _located(cls: type[PomlError]) -> PomlError:
    source = Source("<poml>\n  <p>{{ x }}</p>\n</poml>", "prompt.poml")
    return Diagnostic.at(source, 14, 19, f"a {cls.__name__}", hint="do this", kind=cls).to_exception()


def _round_trips(exc: BaseException) -> list[BaseException]:
    return [pickle.loads(pickle.dumps(exc)), ForkingPickler.loads(bytes(ForkingPickler.dumps(exc)))]


@pytest.mark.parametrize("cls", _all_subclasses(PomlError), ids=lambda c: c.__name__)
def test_every_poml_error_pickles_with_its_location(cls):
    exc = _located(cls)
    for back in _round_trips(exc):
        assert type(back) is cls
        assert str(back) == str(exc) and str(back).startswith("prompt.poml:2:8: error: a ")
        assert (back.path, back.line, back.column) == ("prompt.poml", 2, 8)
        assert back.diagnostic == exc.diagnostic and back.diagnostic.kind is cls
        assert back.diagnostic.hint == "do this"


@pytest.mark.parametrize("cls", _project_error_classes(), ids=lambda c: f"{c.__module__}.{c.__qualname__}")
def test_every_error_class_of_the_project_pickles(cls):
    exc = cls("the message")
    exc.extra = {"kept": [1, 2]}
    for back in _round_trips(exc):
        assert type(back) is cls and str(back) == str(exc)
        assert back.__dict__ == exc.__dict__


@settings(max_examples=30, deadline=None)
@given(text=st.text(min_size=1, max_size=40), line=st.integers(1, 3))
def test_a_rendered_error_pickles_for_any_message(text, line):
    markup = "<poml>\n" * (line - 1) + "<p>{{ " + "undefinedName" + " }}</p>" + "\n</poml>" * (line - 1)
    with pytest.raises(PomlTemplateError) as info:
        poml.poml(markup, context={"t": text})
    for back in _round_trips(info.value):
        assert type(back) is PomlTemplateError
        assert (back.line, back.column) == (line, 7)
        assert back.diagnostic.message == "undefinedName is not defined"


def _render_in_child(markup: str) -> str:
    poml.poml(markup)
    return "rendered"


def test_an_error_raised_in_a_worker_process_arrives_located():
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(1) as pool:
        with pytest.raises(PomlSyntaxError) as info:
            pool.apply(_render_in_child, ("<poml>\n<p>unclosed\n",))
    assert info.value.line is not None and info.value.diagnostic.kind is PomlSyntaxError
    assert info.value.path is None and str(info.value).startswith("<string>:")


def test_diagnostic_kinds_are_classes_at_every_stage(tmp_path):
    cases = {
        "<poml><p>x</poml>": PomlSyntaxError,
        "<p>{{ nope }}</p>": PomlTemplateError,
        "<p>{{ constructor.constructor }}</p>": PomlSandboxError,
        "<tsak>x</tsak>": PomlComponentError,
        f'<document src="{tmp_path}/missing.txt" />': PomlFileError,
        '<p speaker="robot">x</p>': PomlComponentError,
    }
    for markup, cls in cases.items():
        rendered = poml.render_text(markup, strict=False, lenient=False)
        errors = [d for d in rendered.diagnostics if d.severity == "error"]
        assert errors, markup
        assert isinstance(errors[0].kind, type) and issubclass(errors[0].kind, cls), (markup, errors[0])
        assert errors[0].code == errors[0].kind.__name__
        with pytest.raises(cls):
            poml.poml(markup)


def test_error_class_is_the_one_translation_table():
    import renderers
    from poml.template.js import (
        ExpressionError, ExpressionLimitError, ExpressionSandboxError, ExpressionSyntaxError,
    )

    assert error_class(ExpressionLimitError("x")) is PomlLimitError
    assert error_class(ExpressionSandboxError("x")) is PomlSandboxError
    assert error_class(ExpressionSyntaxError("x")) is PomlTemplateError
    assert error_class(ExpressionError("x")) is PomlTemplateError
    assert error_class(renderers.RenderIssue("x")) is PomlRenderError
    assert error_class(RecursionError()) is PomlLimitError
    assert error_class(FileNotFoundError()) is PomlFileNotFoundError
    assert error_class(PermissionError()) is PomlFileError
    assert error_class(PomlSandboxError("x")) is PomlSandboxError  # a PomlError keeps its class
    assert error_class(KeyError("x")) is PomlError
    assert error_class(ValueError("x"), PomlFileError) is PomlFileError


def test_the_boundary_names_the_markup_for_what_a_stage_did_not_expect():
    from poml.template.js import ExpressionLimitError

    limit = translated(ExpressionLimitError("out of regex time"), "p.poml")
    assert type(limit) is PomlLimitError and str(limit) == "p.poml:1:1: error: out of regex time"
    bug = translated(KeyError("k"))
    assert type(bug) is PomlError
    assert str(bug).startswith("<string>:1:1: error: could not render the prompt (KeyError: 'k')")
    assert "nested too deeply" in str(translated(RecursionError()))
    assert type(translated(MemoryError())) is PomlLimitError
    original = PomlSyntaxError("kept")
    assert translated(original, "p.poml") is original


def test_a_failure_inside_the_engine_leaves_it_located(monkeypatch):
    from poml import _api

    def broken(*args):
        raise KeyError("boom")

    monkeypatch.setattr(_api, "_render", broken)
    with pytest.raises(PomlError, match=r"^p\.poml:1:1: error: could not render the prompt \(KeyError: 'boom'\)"):
        _api.render_text("<p/>", path="p.poml")


def test_no_stage_reports_a_kind_by_its_name():
    """Kinds travel as classes: a string kind would raise a plain PomlError, losing the class."""
    import pathlib
    import re

    root = pathlib.Path(_errors.__file__).parent
    pattern = re.compile(r"""kind\s*[=:][^=\n]*["']Poml\w*Error["']""")
    offenders = [f"{p.relative_to(root)}:{n}" for p in root.rglob("*.py")
                 for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if pattern.search(line)]
    assert offenders == []


# ---------------------------------------------------------------- JSON bodies

_JSON_OBJECTS = st.dictionaries(st.text("abc", min_size=1, max_size=3),
                                st.one_of(st.integers(-9, 99), st.booleans(), st.none(), st.text("xy ", max_size=3),
                                          st.lists(st.integers(0, 9), max_size=3)), min_size=1, max_size=4)


@settings(max_examples=150, deadline=None)
@given(_JSON_OBJECTS, st.sampled_from([None, 2]), st.sampled_from(["", "\n  ", "\n"]), st.data())
def test_a_json_body_that_does_not_parse_is_reported_at_the_failing_character(value, indent, lead, data):
    import json

    good = json.dumps(value, indent=indent)
    at = data.draw(st.integers(0, len(good)))
    body = lead + good[:at] + data.draw(st.sampled_from([",", ":", "}", "]", "x", '"', ""])) + good[at + 1:]
    try:
        json.loads(body)
    except ValueError as exc:
        expected = exc.pos
    else:
        assume(False)  # the change left it valid
    for tag in ("context", "stylesheet"):
        markup = f"<poml><{tag}>{body}</{tag}><p>x</p></poml>"
        with pytest.raises(poml.PomlError) as info:
            poml.poml(markup)
        d = info.value.diagnostic
        body_start = markup.index(body, len(f"<poml><{tag}>") - 1)
        assert d.start == body_start + min(expected, len(body) - 1), (body, d)  # the end of input: its last character
        assert d.end == d.start + 1
        assert "line 1 column" not in d.message  # the position is the diagnostic's, not the message's


def test_a_json_file_that_is_not_json_is_read_as_text_with_a_located_warning(tmp_path):
    import warnings

    (tmp_path / "bad.json").write_text('{\n  "a": 1,\n}')
    (tmp_path / "text.json").write_text('"just a string"')
    prompt = tmp_path / "p.poml"

    def render(name: str, extra: str = "") -> str:
        prompt.write_text(f'<poml><let name="x" src="{name}"{extra}/><p>[{{{{ x }}}}]</p></poml>')
        return poml.poml(prompt, chat=False)

    with pytest.warns(poml.PomlWarning) as caught:
        assert render("bad.json") == '[{ "a": 1, }]'  # the reference reads it as text too
    message = str(caught[0].message)
    assert "bad.json is not valid JSON" in message and "line 3 column 1" in message
    assert message.startswith(f"{prompt}:1:26:")  # at the src value
    for name, extra in (("text.json", ""), ("bad.json", ' type="string"')):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            render(name, extra)


def test_an_output_schema_that_does_not_parse_is_reported_where_it_fails():
    markup = '<poml>\n  <output-schema>\n    {"type": "object",, }\n  </output-schema>\n</poml>'
    with pytest.raises(poml.PomlError) as info:
        poml.poml(markup)
    d = info.value.diagnostic
    assert (d.line, d.column, d.end - d.start) == (3, 23, 1)
    # Written by a template, the failing character is not in the file: the element is reported.
    with pytest.raises(poml.PomlError) as info:
        poml.poml('<poml><output-schema>{"type": {{ t }} }</output-schema></poml>', context={"t": "[1"})
    assert info.value.diagnostic.column == 7 and "line 1 column" in info.value.diagnostic.message
