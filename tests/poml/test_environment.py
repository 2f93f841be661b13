"""The Environment owns policy and caches: isolation, invalidation, threads."""

from __future__ import annotations

import threading

import pytest

import poml
from poml._environment import default_environment


def test_environments_do_not_share_caches():
    a, b = poml.Environment(), poml.Environment()
    a.render("<p>one</p>")
    assert a._parsed.items and not b._parsed.items


def test_policy_belongs_to_the_environment(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "note.txt").write_text("shared note")
    prompt = tmp_path / "prompt"
    prompt.mkdir()
    (prompt / "p.poml").write_text(f'<document src="{shared / "note.txt"}" />')
    with pytest.raises(poml.PomlPathError):
        poml.Environment().render_file(prompt / "p.poml")
    assert "shared note" in poml.Environment(roots=[shared]).render_file(prompt / "p.poml", chat=False)


def test_lenient_environment_reports_instead_of_raising():
    env = poml.Environment(strict=False)
    rendered = env.render_text('<p blankLine="maybe">x</p>')
    assert rendered.diagnostics and rendered.diagnostics[0].severity == "error"
    with pytest.raises(poml.PomlComponentError):
        poml.Environment().render('<p blankLine="maybe">x</p>')


def test_invalidate_rereads_a_file_whose_stamp_did_not_change(tmp_path):
    env = poml.Environment()
    f = tmp_path / "p.poml"
    f.write_text("<p>one</p>")
    assert env.render_file(f, chat=False) == "one"
    st = f.stat()
    f.write_text("<p>two</p>")  # same size; put the old mtime back so the stamp matches
    import os

    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert env.render_file(f, chat=False) == "one"
    env.invalidate(f)
    assert env.render_file(f, chat=False) == "two"


def test_clear_makes_the_next_render_cold():
    env = poml.Environment()
    env.render("<p>{{ x }}</p>", context={"x": 1})
    env.clear()
    assert not env._parsed.items and not env.build_cache


def test_build_cache_starts_at_a_texts_second_render():
    env = poml.Environment()
    markup = "<poml><p>fixed <b>part</b></p><p>{{ x }}</p></poml>"
    outputs = [env.render(markup, context={"x": 1}, chat=False)]
    assert not env.build_cache  # a text rendered once makes no reuse keys
    outputs.append(env.render(markup, context={"x": 1}, chat=False))
    assert env.build_cache and not any(entry[0] for entry in env.build_cache.values())  # keys only
    outputs.append(env.render(markup, context={"x": 1}, chat=False))
    kept = {key: entry for key, entry in env.build_cache.items() if entry[0]}
    assert kept  # the third render keeps outputs, the fourth is served from them
    outputs.append(env.render(markup, context={"x": 1}, chat=False))
    assert all(env.build_cache[key] is entry for key, entry in kept.items())
    assert len(set(outputs)) == 1 and outputs[0] == poml.Environment().render(markup, context={"x": 1}, chat=False)


def test_poml_uses_one_default_environment():
    assert default_environment() is default_environment()
    poml.poml("<p>default env</p>")
    assert "<p>default env</p>" in default_environment()._parsed.items


def test_eight_threads_render_concurrently_with_the_same_results():
    env = poml.Environment(cache_size=4)  # a small cache: threads evict each other's entries
    markups = [f"<poml><p>{{{{ n }}}} of {i}</p><b>{i}</b></poml>" for i in range(12)]
    expected = {(i, n): poml.Environment().render(m, context={"n": n}, chat=False)
                for i, m in enumerate(markups) for n in range(3)}
    errors: list = []

    def work(seed: int) -> None:
        try:
            for k in range(60):
                i, n = (seed + k) % len(markups), k % 3
                assert env.render(markups[i], context={"n": n}, chat=False) == expected[(i, n)]
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(s,)) for s in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_included_files_and_expressions_are_compiled_once_per_environment(tmp_path, monkeypatch):
    import poml.syntax

    (tmp_path / "part.poml").write_text("<p>part {{ n + 1 }}</p>")
    main = tmp_path / "main.poml"
    main.write_text('<poml><include src="part.poml"/></poml>')
    parsed = []
    real_parse = poml.syntax.parse_markup
    monkeypatch.setattr(poml.syntax, "parse_markup", lambda text: parsed.append(text) or real_parse(text))
    env = poml.Environment()
    outputs = [env.render_file(main, context={"n": n}) for n in range(3)]
    assert [m[0]["content"] for m in outputs] == ["part 1", "part 2", "part 3"]
    assert len(parsed) == 2  # the file and its include, each once, whatever the context
    assert len(env.compile_cache) > 0
    other = poml.Environment()
    assert len(other.compile_cache) == 0  # nothing is shared between environments
    env.clear()
    assert len(env.compile_cache) == 0


def _let_src_prompt(tmp_path, value='["one", "two"]'):
    (tmp_path / "items.json").write_text(value)
    prompt = tmp_path / "p.poml"
    prompt.write_text('<poml><let src="items.json" name="items"/><p for="i in items">{{ i }}</p></poml>')
    return prompt


def test_let_src_is_read_and_parsed_once_while_the_file_is_unchanged(tmp_path, monkeypatch):
    import poml.data.sources as sources

    parsed = []
    real_parse = sources.parse_text
    monkeypatch.setattr(sources, "parse_text", lambda text, type_=None: parsed.append(text) or real_parse(text, type_))
    env = poml.Environment()
    prompt = _let_src_prompt(tmp_path)
    outputs = [env.render_file(prompt, chat=False) for _ in range(3)]
    assert outputs == ["one\n\ntwo"] * 3
    assert len(parsed) == 1
    (tmp_path / "items.json").write_text('["three"]')  # a new size: the stamp no longer holds
    assert env.render_file(prompt, chat=False) == "three"
    assert len(parsed) == 2


def test_invalidate_drops_a_let_src_value_whose_stamp_did_not_change(tmp_path):
    import os

    env = poml.Environment()
    prompt = _let_src_prompt(tmp_path, '["aaa"]')
    assert env.render_file(prompt, chat=False) == "aaa"
    data = tmp_path / "items.json"
    st = data.stat()
    data.write_text('["bbb"]')
    os.utime(data, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert env.render_file(prompt, chat=False) == "aaa"
    env.invalidate(data)
    assert env.render_file(prompt, chat=False) == "bbb"


def test_a_kept_let_src_value_does_not_let_a_swapped_symlink_out_of_the_root(tmp_path):
    inside = tmp_path / "inside"
    inside.mkdir()
    secret = tmp_path / "secret.json"
    secret.write_text('["secret"]')
    env = poml.Environment()
    prompt = _let_src_prompt(inside, '["public"]')
    assert env.render_file(prompt, chat=False) == "public"
    (inside / "items.json").unlink()
    (inside / "items.json").symlink_to(secret)
    with pytest.raises(poml.PomlPathError) as caught:
        env.render_file(prompt, chat=False)
    assert "secret" not in str(caught.value)


def test_a_documents_stylesheet_and_context_stay_as_written_across_renders():
    env = poml.Environment()
    markup = ('<poml><stylesheet>{"cp": {"captionStyle": "bold"}}</stylesheet>'
              '<context>{"who": {"name": "doc"}}</context><cp caption="c">{{ who.name }}</cp></poml>')
    plain = env.render(markup, chat=False)
    merged = env.render(markup, chat=False, stylesheet={"cp": {"captionStyle": "plain", "captionEnding": "newline"}},
                        context={"who": {"name": "call", "extra": 1}})
    # The document's own <stylesheet> and <context> win over the call's, like the reference.
    assert plain == "**c:** doc" and merged == "**c**\ndoc"
    assert env.render(markup, chat=False) == plain  # nothing of the second call's stylesheet stayed behind
