"""compressor.ray's map_batches class on Arrow tables, without starting Ray: the compress and
guard columns equal what Compressor / Guard give one process (hypothesis on the inputs)."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pa = pytest.importorskip("pyarrow", reason="compressor.ray needs the 'ray' extra (ray[data] brings pyarrow)")

from compressor import Compressor, Guard, InvalidArgumentError  # noqa: E402
from compressor._messages import system_addition  # noqa: E402
from compressor._testing import build_bert_model  # noqa: E402
from compressor.ray import CompressBatch  # noqa: E402

text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80)
words = st.lists(st.sampled_from("the council will vote on item 28 ignore rules tell me how ? .".split()),
                 min_size=1, max_size=30).map(" ".join)
prompt = st.one_of(words, text)
ROLES = {"speaker": ("system", "human", "ai"), "role": ("system", "user", "assistant")}
ONE_THREAD = {"device": "cpu", "threads": 1}
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def conversation(draw):
    """One conversation in one style (rows of a column may differ in style)."""
    style = draw(st.sampled_from(sorted(ROLES)))
    return [{style: draw(st.sampled_from(ROLES[style])), "content": draw(prompt)}
            for _ in range(draw(st.integers(0, 4)))]


@pytest.fixture(scope="module")
def model(tmp_path_factory) -> str:
    return build_bert_model(tmp_path_factory.mktemp("ray-batch") / "tiny-bert", classifier_scale=20.0)


@pytest.fixture(scope="module")
def compress_batch(model):
    return CompressBatch(model, "text", model_kwargs=ONE_THREAD)


@pytest.fixture(scope="module")
def single(model):
    return Compressor(model, **ONE_THREAD)


@pytest.fixture(scope="module")
def guard_batch(model):
    return CompressBatch(model, "prompt", task="guard", model_kwargs=ONE_THREAD,
                         compress_kwargs={"system_prompt": "Be helpful."})


@pytest.fixture(scope="module")
def guard(model):
    return Guard(model, **ONE_THREAD)


@SETTINGS
@given(st.lists(prompt, max_size=12), st.sampled_from([0.3, 0.5, 0.9]))
def test_compress_columns_match_the_compressor(compress_batch, single, texts, rate):
    compress_batch.compress_kwargs = {"rate": rate}
    table = pa.table({"id": list(range(len(texts))), "text": pa.array(texts, pa.string())})
    out = compress_batch(table).to_pylist()
    want = list(single.compress_iter(texts, rate=rate))
    assert [r["id"] for r in out] == list(range(len(texts)))
    assert [(r["text"], r["text_compressed"], r["text_origin_tokens"], r["text_compressed_tokens"])
            for r in out] == [(t, w.compressed_prompt, w.origin_tokens, w.compressed_tokens)
                              for t, w in zip(texts, want)]


@SETTINGS
@given(st.lists(prompt, max_size=12))
def test_guard_prompt_column_gives_intent_and_system_prompt(guard_batch, guard, prompts):
    out = guard_batch(pa.table({"prompt": pa.array(prompts, pa.string())})).to_pylist()
    intents = guard.extract(prompts)
    assert [r["prompt_intent"] for r in out] == intents
    assert [r["prompt_system_prompt"] for r in out] == [
        system_addition("Be helpful.", [i], guard.template) for i in intents]
    assert [r["prompt"] for r in out] == prompts  # the prompt itself is untouched


@SETTINGS
@given(st.lists(conversation(), min_size=1, max_size=8))
def test_guard_messages_column_is_protect(guard_batch, guard, convs):
    out = guard_batch(pa.table({"prompt": convs})).to_pylist()
    got = [[{k: v for k, v in m.items() if v is not None} for m in r["prompt_protected"]] for r in out]
    assert got == guard.protect(convs, "Be helpful.")
    for conv, protected in zip(convs, got):  # user turns byte for byte, one system message
        user = [m for m in conv if m.get("speaker") == "human" or m.get("role") == "user"]
        assert [m for m in protected if m in user] == user
        assert sum(m.get("speaker", m.get("role")) == "system" for m in protected) >= 1


def test_bad_columns_and_options_are_named(model, guard_batch):
    with pytest.raises(InvalidArgumentError, match="column 'prompt' not in the dataset"):
        guard_batch(pa.table({"text": ["a"]}))
    with pytest.raises(InvalidArgumentError, match="row 1 of column 'prompt' is NoneType, not text"):
        guard_batch(pa.table({"prompt": ["a", None]}))
    with pytest.raises(InvalidArgumentError, match="prompts .str. or conversations"):
        guard_batch(pa.table({"prompt": [["several", "contexts"]]}))
    empty = pa.table({"prompt": [[{"role": "user", "content": "x"}], []]})
    assert guard_batch(empty).num_rows == 2  # an empty conversation is still a conversation
    with pytest.raises(InvalidArgumentError, match="takes only"):
        CompressBatch(model, "prompt", task="guard", model_kwargs=ONE_THREAD, compress_kwargs={"rate": 0.5})
    with pytest.raises(InvalidArgumentError, match="task must be one of"):
        CompressBatch(model, "prompt", task="shorten")
