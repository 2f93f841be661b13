"""The indexed stylesheet matches exactly what a scan over every selector would."""

from __future__ import annotations

from hypothesis import given, strategies as st

from poml.styles import CompiledSheet


def _scan(stylesheet, aliases, class_name):
    """The plain definition: every selector checked against the element."""
    classes = str(class_name).split() if class_name else []
    found = []
    for index, (sel, body) in enumerate(stylesheet.items()):
        if sel == "*":
            found.append((0, index, body))
            continue
        parts = sel.split()
        if not parts:
            continue
        total = 0
        for part in parts:
            if part.startswith("."):
                if part[1:] not in classes:
                    break
                total += 2
            elif part.lower() in aliases:
                total += 1
            else:
                break
        else:
            found.append((total, index, body))
    return [b for _, _, b in sorted(found, key=lambda m: (m[0], m[1]))]


_names = st.sampled_from(["p", "task", "role", "P", "cp", ".a", ".b", ".ab", "*", ""])
_selector = st.lists(_names, min_size=1, max_size=3).map(" ".join)


@given(st.dictionaries(_selector, st.integers(), max_size=8),
       st.sets(st.sampled_from(["p", "task", "role", "cp"])), st.sampled_from([None, "", "a", "a b", "ab", "b a ab"]))
def test_index_agrees_with_a_full_scan(sheet, aliases, class_name):
    assert CompiledSheet(sheet).matching(frozenset(aliases), class_name) == _scan(sheet, frozenset(aliases), class_name)


def test_a_class_that_is_a_substring_of_another_does_not_match():
    sheet = {".ab": 1, ".a": 2}
    assert CompiledSheet(sheet).matching(frozenset({"p"}), "ab") == [1]
