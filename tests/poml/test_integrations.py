"""Integrations (LangChain, Weave, AgentOps, MLflow), each tested against a small fake of its library."""

from __future__ import annotations

import importlib
import json
import sys
import types

import pytest

import poml
from poml import _trace


@pytest.fixture(autouse=True)
def _clean(monkeypatch):
    monkeypatch.delenv("POML_TRACE", raising=False)
    _trace.set_trace(False)
    _trace.clear_trace()
    yield
    _trace.set_trace(False)
    _trace.clear_trace()


def _module(monkeypatch, name: str, **attrs) -> types.ModuleType:
    mod = types.ModuleType(name)
    for key, value in attrs.items():
        setattr(mod, key, value)
    monkeypatch.setitem(sys.modules, name, mod)
    return mod


# ----------------------------------------------------------------------------- fake LangChain

class FakeMessage:
    def __init__(self, type: str, content):
        self.type = type
        self.content = content

    def __eq__(self, other):
        return (self.type, self.content) == (other.type, other.content)

    def __repr__(self):
        return f"FakeMessage({self.type!r}, {self.content!r})"


class ChatPromptValue:
    def __init__(self, messages):
        self.messages = messages


class StringPromptValue:
    def __init__(self, text):
        self.text = text


class FakePromptTemplate:
    """The parts of langchain_core.prompts.PromptTemplate the integration relies on."""

    def __init__(self, template: str, input_variables=None, partial_variables=None, **kwargs):
        self.template = template
        self.input_variables = input_variables or []
        self.partial_variables = partial_variables or {}

    @classmethod
    def from_template(cls, template: str, **kwargs):
        return cls(template=template, **kwargs)

    @classmethod
    def from_file(cls, template_file, encoding=None, **kwargs):
        with open(template_file, encoding=encoding) as f:
            return cls.from_template(f.read(), **kwargs)

    def _merge_partial_and_user_variables(self, **kwargs):
        return {**self.partial_variables, **kwargs}

    def invoke(self, variables: dict):
        return self.format_prompt(**variables)


@pytest.fixture
def langchain(monkeypatch):
    monkeypatch.delitem(sys.modules, "poml.integration.langchain", raising=False)
    _module(monkeypatch, "langchain_core")
    _module(monkeypatch, "langchain_core.messages",
            messages_from_dict=lambda ms: [FakeMessage(m["type"], m["data"]["content"]) for m in ms])
    _module(monkeypatch, "langchain_core.prompt_values", ChatPromptValue=ChatPromptValue,
            StringPromptValue=StringPromptValue)
    _module(monkeypatch, "langchain_core.prompts", PromptTemplate=FakePromptTemplate)
    mod = importlib.import_module("poml.integration.langchain")
    yield mod
    sys.modules.pop("poml.integration.langchain", None)


def test_langchain_missing_names_the_package(monkeypatch):
    monkeypatch.delitem(sys.modules, "poml.integration.langchain", raising=False)
    monkeypatch.setitem(sys.modules, "langchain_core", None)
    with pytest.raises(ImportError, match="pip install langchain-core"):
        importlib.import_module("poml.integration.langchain")
    sys.modules.pop("poml.integration.langchain", None)


def test_langchain_chat_template(langchain):
    t = langchain.LangchainPomlTemplate.from_template(
        "<poml><system-msg>Be brief.</system-msg><human-msg>Hi {{name}}</human-msg></poml>")
    assert isinstance(t, FakePromptTemplate) and t.speaker_mode is True
    value = t.format(name="Ada")
    assert isinstance(value, ChatPromptValue)
    assert value.messages == [FakeMessage("system", "Be brief."), FakeMessage("human", "Hi Ada")]
    assert t.invoke({"name": "Bo"}).messages[1] == FakeMessage("human", "Hi Bo")


def test_langchain_template_is_not_parsed_by_langchain(langchain):
    t = langchain.LangchainPomlTemplate.from_template(
        '<poml><p>Hi {{name}} {"json": 1}</p><object data="{{ {\'a\': 1} }}"/></poml>', speaker_mode=False)
    assert t.input_variables == []
    assert t.format(name="Dee").text == 'Hi Dee {"json": 1}\n\n{"a":1}'


def test_langchain_text_mode_and_partials(langchain):
    t = langchain.LangchainPomlTemplate.from_template("<p>{{greeting}}, {{name}}!</p>", speaker_mode=False,
                                                      partial_variables={"greeting": "Hello"})
    value = t.format(name="Ada")
    assert isinstance(value, StringPromptValue) and value.text == "Hello, Ada!"


def test_langchain_text_mode_joins_into_one_message(langchain):
    t = langchain.LangchainPomlTemplate.from_template(
        "<poml><system-msg>A</system-msg><human-msg>B</human-msg></poml>", speaker_mode=False)
    assert isinstance(t.format(), StringPromptValue)
    t.speaker_mode = True
    assert len(t.format().messages) == 2


@pytest.mark.parametrize("messages, error", [
    ([FakeMessage("human", "a"), FakeMessage("ai", "b")], "one message"),
    ([FakeMessage("human", ["a", "b"])], "multi-part"),
    ([FakeMessage("human", [{"type": "image"}])], "text content"),
])
def test_langchain_text_mode_errors(langchain, monkeypatch, messages, error):
    monkeypatch.setattr(langchain, "poml_formatter", lambda *a: messages)
    t = langchain.LangchainPomlTemplate.from_template("<p>x</p>", speaker_mode=False)
    with pytest.raises(ValueError, match=error):
        t.format()


def test_langchain_single_part_list_is_text(langchain, monkeypatch):
    monkeypatch.setattr(langchain, "poml_formatter", lambda *a: [FakeMessage("human", ["only"])])
    assert langchain.LangchainPomlTemplate.from_template("<p>x</p>", speaker_mode=False).format().text == "only"


def test_langchain_from_file_renders_the_file(langchain, tmp_path):
    (tmp_path / "part.poml").write_text("<p>included {{name}}</p>")
    main = tmp_path / "main.poml"
    main.write_text('<poml><include src="part.poml"/></poml>')
    t = langchain.LangchainPomlTemplate.from_file(main, speaker_mode=False)
    assert t.template_file == main
    assert t.format(name="X").text == "included X"


def test_langchain_misc(langchain):
    cls = langchain.LangchainPomlTemplate
    with pytest.raises(NotImplementedError):
        cls.from_examples(["a"], "s", ["x"], "p")
    t = cls.from_template("<p>x</p>")
    assert t.lc_attributes == {"template_file": None, "speaker_mode": True}
    assert cls.get_lc_namespace() == ["poml", "integration", "langchain"]
    assert langchain.poml_formatter("<p>x</p>", True) == [FakeMessage("human", "x")]


def test_langchain_real_library_when_installed(monkeypatch, tmp_path):
    pytest.importorskip("langchain_core")
    monkeypatch.delitem(sys.modules, "poml.integration.langchain", raising=False)
    from poml.integration.langchain import LangchainPomlTemplate

    main = tmp_path / "chat.poml"
    main.write_text("<poml><system-msg>Be brief.</system-msg><human-msg>Hi {{name}} {x}</human-msg></poml>")
    messages = LangchainPomlTemplate.from_file(main).invoke({"name": "Ada"}).to_messages()
    assert [(m.type, m.content) for m in messages] == [("system", "Be brief."), ("human", "Hi Ada {x}")]
    text = LangchainPomlTemplate.from_template("<p>{{a}}</p>", speaker_mode=False).invoke({"a": 1})
    assert text.to_string() == "1"
    sys.modules.pop("poml.integration.langchain", None)


# ----------------------------------------------------------------------------- fake tracing backends

@pytest.fixture
def fake_weave(monkeypatch):
    log = {"published": [], "calls": []}

    def op(fn):
        def wrapper(*args):
            out = fn(*args)
            log["calls"].append((fn.__name__, args, out))
            return out
        return wrapper

    def publish(obj, name):
        log["published"].append((name, obj))
        return f"ref:{name}"

    _module(monkeypatch, "weave", op=op, publish=publish)
    return log


@pytest.fixture
def fake_agentops(monkeypatch):
    log = []

    def operation(name):
        def deco(fn):
            def wrapper(*args):
                out = fn(*args)
                log.append((name, args, out))
                return out
            return wrapper
        return deco

    _module(monkeypatch, "agentops", operation=operation)
    return log


@pytest.fixture
def fake_mlflow(monkeypatch):
    log = {"prompts": [], "traces": []}

    def trace(fn):
        def wrapper(*args):
            out = fn(*args)
            log["traces"].append((fn.__name__, args, out))
            return out
        return wrapper

    def register_prompt(name, template, tags):
        log["prompts"].append((name, template, tags))

    genai = _module(monkeypatch, "mlflow.genai", register_prompt=register_prompt)
    _module(monkeypatch, "mlflow", trace=trace, genai=genai)
    return log


def test_weave_log_poml_call(fake_weave):
    from poml.integration import weave

    out = weave.log_poml_call("0001.x", "<p>a</p>", {"k": 1}, None, {"messages": []})
    assert out == {"messages": []}
    assert fake_weave["published"] == [("0001.x", "<p>a</p>"), ("0001.x.context", {"k": 1})]
    assert fake_weave["calls"] == [("poml", ("ref:0001.x", "ref:0001.x.context", None), {"messages": []})]


def test_agentops_log_poml_call(fake_agentops):
    from poml.integration import agentops

    agentops.log_poml_call("0001", "<p>a</p>", None, {"p": {}}, "R")
    assert fake_agentops == [("poml", ("<p>a</p>", None, {"p": {}}), "R")]


def test_mlflow_log_poml_call(fake_mlflow):
    from poml.integration import mlflow

    mlflow.log_poml_call("0001", "<p>a</p>", None, None, "R")
    assert fake_mlflow["prompts"] == [("0001", "<p>a</p>", {"format": "poml", "source": "auto"})]
    assert fake_mlflow["traces"] == [("poml", ("<p>a</p>", None, None), "R")]


@pytest.mark.parametrize("module, pip_name", [("weave", "weave"), ("agentops", "agentops"), ("mlflow", "mlflow")])
def test_backend_missing_names_the_package(monkeypatch, module, pip_name):
    monkeypatch.setitem(sys.modules, module, None)
    backend = importlib.import_module(f"poml.integration.{module}")
    with pytest.raises(ImportError, match=f"pip install {pip_name}"):
        backend.log_poml_call("0001", "<p>a</p>", None, None, "R")


def test_importing_poml_loads_no_backend():
    import subprocess

    code = ("import sys, poml; poml.poml('<p>x</p>'); poml.set_trace(True); poml.poml('<p>y</p>'); "
            "print(sorted(m for m in ('weave', 'agentops', 'mlflow', 'langchain_core', 'pydantic', 'yaml') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=str(__import__("pathlib").Path(poml.__file__).parents[1]))
    loaded = json.loads(out.stdout.strip().replace("'", '"'))
    assert not set(loaded) & {"weave", "agentops", "mlflow", "langchain_core"}


def test_poml_call_reaches_all_backends(tmp_path, fake_weave, fake_agentops, fake_mlflow):
    run_dir = poml.set_trace(["local", "weave", "agentops", "mlflow"], trace_dir=tmp_path)
    result = poml.poml("<p>Hi {{name}}</p>", context={"name": "Ada"})
    assert result == [{"speaker": "human", "content": "Hi Ada"}]
    expected = {"messages": [{"speaker": "human", "content": "Hi Ada"}]}
    assert fake_weave["published"][0] == ("0001", "<p>Hi {{name}}</p>")
    assert fake_weave["published"][1] == ("0001.context", {"name": "Ada"})
    assert fake_weave["calls"][0][2] == expected
    assert fake_agentops[0][1] == ("<p>Hi {{name}}</p>", {"name": "Ada"}, None)
    assert fake_mlflow["prompts"][0][0] == "0001"
    assert fake_mlflow["traces"][0][2] == expected
    assert (run_dir / "0001.poml").exists()


def test_poml_call_backend_without_dir_fails_clearly(fake_weave):
    poml.set_trace("weave")
    with pytest.raises(RuntimeError, match="requires local tracing"):
        poml.poml("<p>x</p>")
