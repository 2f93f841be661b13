"""Session fixtures: tiny random-weight checkpoints built offline, texts, the reference package."""
from __future__ import annotations

import random

import pytest

from compressor._tiktoken_offline import ensure_offline_tiktoken

ensure_offline_tiktoken()  # before llmlingua (it calls tiktoken at init)

# Without the packages the tests need, only test_needs_extras.py is collected: it reports each
# missing package as a skip with its reason (a conftest may not skip, and the other modules
# import numpy/hypothesis at the top).
from _compressor_needs import NEEDED  # noqa: E402


def _missing() -> list[str]:
    import importlib.util

    out = []
    for name in NEEDED:
        try:
            found = importlib.util.find_spec(name) is not None
        except ModuleNotFoundError:  # a dotted name whose parent is missing
            found = False
        if not found:
            out.append(name)
    return out


MISSING = _missing()
if MISSING:
    collect_ignore_glob = [p.name for p in __import__("pathlib").Path(__file__).parent.glob("test_*.py")
                           if p.name != "test_needs_extras.py"]

from compressor._testing import build_bert_model, build_xlmr_model, lingua_texts  # noqa: E402

WORDS = ("the council will vote on item twenty eight after a short break so please "
         "keep your comments brief because we have many speakers tonight and I think "
         "um you know the budget for 2024 is about 3.5 million dollars").split()


def _long_text(seed: int, n_words: int, period_every: int | None) -> str:
    rng = random.Random(seed)
    out = []
    for i in range(n_words):
        out.append(rng.choice(WORDS))
        if period_every and i % period_every == period_every - 1:
            out[-1] += rng.choice([".", ".", "?", ",", ".\n"])
    return " ".join(out)


def corpus() -> dict[str, str]:
    """At least 30 texts: shared lingua-data, long multi-chunk inputs, CJK, digits, edge shapes."""
    texts = dict(lingua_texts())
    zh = texts.get("longbench_zh_news", "")
    if zh:
        parts = [p for p in zh.split("\n\n新闻内容") if p.strip()]
        for i, p in enumerate(parts[:8]):
            texts[f"zh_news_{i}"] = ("新闻内容" + p) if i else p
    for i in range(6):
        texts[f"long_{i}"] = _long_text(i, 500 + 250 * i, period_every=[7, 15, 40, None, 3, 120][i])
    texts["no_sentence_end"] = _long_text(99, 1100, None)
    texts["digits"] = "Order 66 shipped 12,345 units at $3.50 each on 2024-05-01; 7 of 9 arrived, 0.5% lost."
    texts["mixed_cjk_en"] = "The meeting 会议 was held in 北京 on Monday. 我们讨论了 budget 预算 and 2025 plans."
    texts["newlines"] = "Line one\nLine two?\n\nLine three! And four.\n- bullet a\n- bullet b\n"
    texts["short"] = "Hello there, how are you?"
    texts["punct_heavy"] = "Wait... what?! (Really) -- yes: [sure]; {ok} \"quoted\" 'single' #tag @user."
    texts["one_word"] = "Supercalifragilisticexpialidocious"
    texts["numbers_table"] = "\n".join(f"row {i}: {i * 17 % 101} apples, {i * 3.25:.2f} kg" for i in range(60))
    texts["repeated_force"] = "Yes, yes, yes... no!! no!! Really?? Um, um, um, okay. " * 20
    texts["unicode_misc"] = "Café déjà vu — naïve coöperation ½ € ✓ ünïcödé text, Ελληνικά και русский язык."
    texts["code_like"] = "def f(x):\n    return x * 2  # double it\nprint(f(21))\n" * 10
    texts["long_zh"] = zh[:6000] if zh else "中文" * 2000
    return texts


@pytest.fixture(scope="session")
def texts() -> dict[str, str]:
    t = corpus()
    assert len(t) >= 30
    return t


@pytest.fixture(scope="session", autouse=True)
def private_cache(tmp_path_factory):
    """Keep the ONNX exports of these tests out of the user's ~/.cache."""
    with pytest.MonkeyPatch.context() as mp:
        path = tmp_path_factory.mktemp("poml-cache")
        mp.setenv("POML_CACHE_DIR", str(path))
        yield path


@pytest.fixture(scope="session")
def model_dirs(tmp_path_factory) -> dict[str, str]:
    base = tmp_path_factory.mktemp("models")
    train = list(lingua_texts().values()) or [" ".join(WORDS)] * 50
    train.append(" ".join(WORDS) * 5)
    return {
        "xlmr": build_xlmr_model(base / "tiny-xlm-roberta-large", train, classifier_scale=20.0),
        "bert": build_bert_model(base / "tiny-bert-base-multilingual-cased", classifier_scale=20.0),
    }


_CACHE: dict = {}


@pytest.fixture(scope="session")
def get_compressor(model_dirs):
    from compressor import Compressor

    def get(kind: str, compat=None, engine="torch", dtype="auto", **kw):
        key = (kind, compat, engine, dtype, tuple(sorted(kw.items())))
        if key not in _CACHE:
            _CACHE[key] = Compressor(model_dirs[kind], device="cpu", engine=engine, dtype=dtype,
                                     compat=compat, **kw)
        return _CACHE[key]

    return get


@pytest.fixture(scope="session")
def get_reference(model_dirs):
    llmlingua = pytest.importorskip("llmlingua", reason="llmlingua==0.2.2 not installed")
    refs: dict = {}

    def get(kind: str):
        if kind not in refs:
            refs[kind] = llmlingua.PromptCompressor(model_dirs[kind], device_map="cpu",
                                                    use_llmlingua2=True)
        return refs[kind]

    return get


@pytest.fixture(scope="module")
def cli_app():
    """A typer app with the compressor's commands (``compress``, ``guard``) registered."""
    import typer

    from compressor.cli import register

    app = typer.Typer()
    register(app)

    @app.callback()
    def _root() -> None:
        """root"""

    return app
