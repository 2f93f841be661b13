"""The file-access policy: paths named by markup stay inside the allowed roots."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from poml._errors import PomlError, PomlFileError, PomlLimitError, PomlPathError
from poml._files import ByteCache, FileAccess, default_access, is_url


@pytest.fixture()
def tree(tmp_path: Path) -> dict:
    root = tmp_path / "root"
    (root / "sub").mkdir(parents=True)
    (root / "a.txt").write_text("hello", encoding="utf-8")
    (root / "sub" / "b.txt").write_text("inner", encoding="utf-8")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("top secret", encoding="utf-8")
    return {"root": root, "outside": outside, "tmp": tmp_path}


def _refused(access: FileAccess, text: str, base: Path, *, names: str = None) -> PomlPathError:
    with pytest.raises(PomlPathError) as info:
        access.read_text(text, base)
    msg = str(info.value)
    assert (names or text) in msg, msg
    return info.value


# ---------------------------------------------------------------- allowed


def test_relative_path_inside_root(tree):
    access = FileAccess([tree["root"]])
    assert access.read_text("a.txt", tree["root"]) == "hello"
    assert access.read_text("sub/b.txt", tree["root"]) == "inner"
    assert access.read_text("sub/../a.txt", tree["root"]) == "hello"


def test_absolute_path_inside_root(tree):
    access = FileAccess([tree["root"]])
    assert access.read_text(str(tree["root"] / "a.txt"), tree["root"]) == "hello"


def test_resolve_returns_real_path(tree):
    access = FileAccess([tree["root"]])
    assert access.resolve("sub/../a.txt", tree["root"]) == Path(os.path.realpath(tree["root"] / "a.txt"))


def test_several_roots(tree):
    access = FileAccess([tree["root"], tree["outside"]])
    assert access.read_text("../outside/secret.txt", tree["root"]) == "top secret"


def test_file_url_inside_root(tree):
    access = FileAccess([tree["root"]])
    url = (tree["root"] / "a.txt").as_uri()
    assert access.read_text(url, tree["root"]) == "hello"


# ---------------------------------------------------------------- refused


def test_dotdot_escape_refused(tree):
    access = FileAccess([tree["root"]])
    err = _refused(access, "../outside/secret.txt", tree["root"])
    assert str(tree["root"].resolve()) not in str(err)  # never discloses the server's layout
    assert '"../outside/secret.txt" is outside the folders' in str(err)  # the path as written
    assert "roots=[...]" in str(err) and "--root" in str(err)  # says what to do, in Python and the CLI


def test_deep_dotdot_escape_refused(tree):
    access = FileAccess([tree["root"]])
    _refused(access, "sub/../../outside/secret.txt", tree["root"])


def test_absolute_path_outside_refused(tree):
    access = FileAccess([tree["root"]])
    _refused(access, str(tree["outside"] / "secret.txt"), tree["root"])
    _refused(access, "/etc/passwd", tree["root"])


@pytest.mark.skipif(sys.platform.startswith("win"), reason="symlinks need privileges on Windows")
def test_symlink_out_of_root_refused(tree):
    link = tree["root"] / "link.txt"
    link.symlink_to(tree["outside"] / "secret.txt")
    access = FileAccess([tree["root"]])
    _refused(access, "link.txt", tree["root"])


@pytest.mark.skipif(sys.platform.startswith("win"), reason="symlinks need privileges on Windows")
def test_symlinked_folder_out_of_root_refused(tree):
    (tree["root"] / "escape").symlink_to(tree["outside"], target_is_directory=True)
    access = FileAccess([tree["root"]])
    _refused(access, "escape/secret.txt", tree["root"])


@pytest.mark.skipif(sys.platform.startswith("win"), reason="symlinks need privileges on Windows")
def test_symlink_inside_root_allowed(tree):
    (tree["root"] / "alias.txt").symlink_to(tree["root"] / "a.txt")
    access = FileAccess([tree["root"]])
    assert access.read_text("alias.txt", tree["root"]) == "hello"


def test_file_url_outside_refused(tree):
    access = FileAccess([tree["root"]])
    url = (tree["outside"] / "secret.txt").as_uri()
    _refused(access, url, tree["root"], names=url)


def test_file_url_other_host_refused(tree):
    access = FileAccess([tree["root"]])
    _refused(access, "file://example.com/etc/passwd", tree["root"])


@pytest.mark.parametrize("url", ["http://example.com/a.txt", "https://example.com/x.png", "HTTPS://EXAMPLE.COM/"])
def test_url_refused_when_network_off(tree, url):
    access = FileAccess([tree["root"]])
    err = _refused(access, url, tree["root"], names=url)
    assert "network" in str(err)
    with pytest.raises(PomlPathError):
        access.read_source_bytes(url, tree["root"])
    with pytest.raises(PomlPathError):
        access.fetch_url(url)


@pytest.mark.parametrize("text", ["ftp://example.com/a", "data:text/plain;base64,aGk="])
def test_other_schemes_refused(tree, text):
    access = FileAccess([tree["root"]])
    with pytest.raises(PomlPathError):
        access.resolve(text, tree["root"])


def test_nul_byte_refused(tree):
    with pytest.raises(PomlPathError):
        FileAccess([tree["root"]]).resolve("a.txt\x00.png", tree["root"])


def test_no_roots_refuses_everything(tree):
    with pytest.raises(PomlPathError) as info:
        FileAccess([]).read_text("a.txt", tree["root"])
    assert "outside the folders this prompt may read" in str(info.value)


def test_path_error_is_a_file_error():
    assert issubclass(PomlPathError, PomlFileError)
    assert issubclass(PomlFileError, PomlError)


# ---------------------------------------------------------------- reading


def test_missing_file_is_a_file_error(tree):
    with pytest.raises(PomlFileError) as info:
        FileAccess([tree["root"]]).read_text("nope.txt", tree["root"])
    assert not isinstance(info.value, PomlPathError)
    assert "nope.txt" in str(info.value)


def test_folder_is_not_a_file(tree):
    with pytest.raises(PomlFileError):
        FileAccess([tree["root"]]).read_bytes("sub", tree["root"])


def test_size_limit(tree):
    (tree["root"] / "big.bin").write_bytes(b"x" * 2048)
    access = FileAccess([tree["root"]], max_bytes=1024)
    with pytest.raises(PomlLimitError):
        access.read_bytes("big.bin", tree["root"])


def test_cache_sees_changes(tree):
    access = FileAccess([tree["root"]], cache=ByteCache(1 << 20))
    p = tree["root"] / "c.txt"
    p.write_text("one", encoding="utf-8")
    assert access.read_text("c.txt", tree["root"]) == "one"
    assert access.read_text("c.txt", tree["root"]) == "one"
    p.write_text("two!", encoding="utf-8")  # size changes, so the key changes
    os.utime(p, ns=(p.stat().st_atime_ns, p.stat().st_mtime_ns + 1_000_000))
    assert access.read_text("c.txt", tree["root"]) == "two!"


def test_cache_avoids_rereading(tree, monkeypatch):
    access = FileAccess([tree["root"]], cache=ByteCache(1 << 20))
    assert access.read_text("a.txt", tree["root"]) == "hello"
    import builtins

    real_open = builtins.open
    calls = []

    def spy(*args, **kwargs):
        calls.append(args[0])
        return real_open(*args, **kwargs)

    monkeypatch.setattr(builtins, "open", spy)
    assert access.read_text("a.txt", tree["root"]) == "hello"
    assert not any(str(c).endswith("a.txt") for c in calls)


def test_invalid_utf8_replaced(tree):
    (tree["root"] / "bad.txt").write_bytes(b"ok \xff end")
    assert FileAccess([tree["root"]]).read_text("bad.txt", tree["root"]) == "ok \ufffd end"


def test_is_url():
    assert is_url("https://a.b/c") and is_url("http://x")
    assert not is_url("file:///x") and not is_url("a/b.txt")


def test_default_access(tmp_path):
    f = tmp_path / "p.poml"
    f.write_text("<p/>")
    acc = default_access(f)
    assert acc.roots == (Path(os.path.realpath(tmp_path)),)
    acc2 = default_access(f, roots=[tmp_path.parent])
    assert Path(os.path.realpath(tmp_path.parent)) in acc2.roots
    assert not default_access(None).allow_network


def test_list_dir_outside_refused(tree):
    with pytest.raises(PomlPathError):
        FileAccess([tree["root"]]).list_dir(tree["outside"])


# ---------------------------------------------------------------- end to end


@pytest.fixture()
def in_root(tree, monkeypatch):
    import poml.components.data  # noqa: F401  (registers the data components)

    monkeypatch.chdir(tree["root"])
    return tree


def _render(markup: str):
    import poml

    return poml.poml(markup)


@pytest.mark.parametrize("markup", [
    '<poml><document src="../outside/secret.txt"/></poml>',
    '<poml><table src="../outside/t.csv"/></poml>',
    '<poml><folder src="../outside"/></poml>',
    '<poml><webpage src="../outside/p.html"/></poml>',
    '<poml><img src="../outside/x.png"/></poml>',
])
def test_markup_escape_refused(in_root, markup):
    (in_root["outside"] / "t.csv").write_text("a\n1\n")
    (in_root["outside"] / "p.html").write_text("<p>x</p>")
    with pytest.raises(PomlPathError) as info:
        _render(markup)
    assert "../outside" in str(info.value)


def test_markup_absolute_path_refused(in_root):
    with pytest.raises(PomlPathError) as info:
        _render(f'<poml><document src="{in_root["outside"] / "secret.txt"}"/></poml>')
    assert "secret.txt" in str(info.value)


@pytest.mark.skipif(sys.platform.startswith("win"), reason="symlinks need privileges on Windows")
def test_markup_symlink_refused(in_root):
    (in_root["root"] / "link.txt").symlink_to(in_root["outside"] / "secret.txt")
    with pytest.raises(PomlPathError):
        _render('<poml><document src="link.txt"/></poml>')


def test_markup_file_url_refused(in_root):
    url = (in_root["outside"] / "secret.txt").as_uri()
    with pytest.raises(PomlPathError):
        _render(f'<poml><document src="{url}" parser="txt"/></poml>')


def test_markup_url_refused_network_off(in_root):
    with pytest.raises(PomlPathError) as info:
        _render('<poml><webpage url="https://example.com/"/></poml>')
    assert "https://example.com/" in str(info.value)
    with pytest.raises(PomlPathError):
        _render('<poml><img src="https://example.com/x.png"/></poml>')


def test_markup_inside_root_reads(in_root):
    assert _render('<poml><document src="a.txt"/></poml>') == [{"speaker": "human", "content": "hello"}]


def test_let_src_escape_refused(in_root):
    (in_root["outside"] / "v.json").write_text('{"a": 1}')
    with pytest.raises(PomlPathError):
        _render('<poml><let name="v" src="../outside/v.json"/><p>{{v.a}}</p></poml>')


def test_include_escape_refused(in_root):
    (in_root["outside"] / "c.poml").write_text("<p>x</p>")
    with pytest.raises(PomlPathError):
        _render('<poml><include src="../outside/c.poml"/></poml>')


# ---------------------------------------------------------------- roots resolved on first use


def test_roots_are_resolved_only_when_a_path_is_checked(tree, monkeypatch):
    calls = []
    real = os.path.realpath
    monkeypatch.setattr(os.path, "realpath", lambda p, *a, **k: calls.append(p) or real(p, *a, **k))
    access = FileAccess([tree["root"], tree["root"] / "sub"])
    assert calls == []  # a render that reads no file pays nothing for its policy
    assert access.read_text("a.txt", tree["root"]) == "hello"
    assert access.roots == (Path(real(tree["root"])), Path(real(tree["root"] / "sub")))
    resolved = len(calls)
    access.read_text("sub/b.txt", tree["root"])
    assert len(calls) - resolved <= 1  # later reads resolve the named path, never the roots again


@pytest.mark.skipif(sys.platform.startswith("win"), reason="symlinks need privileges on Windows")
def test_markup_reached_through_a_symlink_has_its_real_folder_as_root(tree):
    (tree["root"] / "prompt.poml").write_text("<p>x</p>", encoding="utf-8")
    elsewhere = tree["tmp"] / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "prompt.poml").symlink_to(tree["root"] / "prompt.poml")
    access = default_access(elsewhere / "prompt.poml")
    assert access.roots == (Path(os.path.realpath(tree["root"])),)
    assert access.read_text("a.txt", tree["root"]) == "hello"
    _refused(access, "a.txt", elsewhere)  # the link's own folder is not a root
    _refused(access, "../outside/secret.txt", tree["root"])


def test_policy_key_names_the_markup_the_roots_as_given_and_the_network(tree, monkeypatch):
    monkeypatch.chdir(tree["root"])
    a = FileAccess(["sub"], allow_network=False)
    b = FileAccess([tree["root"] / "sub"], allow_network=False)
    assert a.policy_key == b.policy_key  # a relative root is the absolute one
    assert FileAccess(["sub"], allow_network=True).policy_key != a.policy_key
    assert default_access(tree["root"] / "a.poml").policy_key != default_access(tree["root"] / "sub" / "b.poml").policy_key
