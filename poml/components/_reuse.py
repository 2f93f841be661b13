"""Reuse of identical sub-trees: structural keys of Call trees and of the context they render in."""

from __future__ import annotations

import hashlib
import io
import json
import pickle
from typing import Any

from .._tree import UNKNOWN_KEY, Call
from ._nodes import BuildContext, BuildState


CACHE_MAX = 10_000
_MAX_CACHED_TEXT = 4096  # longer text (a pasted document...) is not worth keeping
_PLAIN = (str, int, float, bool, type(None))


class _PlainDataPickler(pickle.Pickler):
    """Pickles plain data only: the C pickler handles str, numbers, lists, tuples and dicts
    itself and asks this hook about anything else, which is refused."""

    def reducer_override(self, obj: Any) -> Any:
        raise TypeError(type(obj).__name__)


def _freeze(v: Any) -> Any:
    """A hashable image of plain data, or ``TypeError`` when ``v`` is not worth caching.

    Containers become a digest of their pickle: the C pickler walks them at C speed,
    writes a shared or cyclic sub-value once (so ``[d, d]`` doubled 26 times stays small),
    and stops at the recursion limit without raising it; equal digests mean equal data.
    """
    t = type(v)
    if t in _PLAIN:
        return (t, v) if t is not str else v
    if t is not list and t is not tuple and t is not dict:
        raise TypeError(t.__name__)
    buffer = io.BytesIO()
    try:
        _PlainDataPickler(buffer, protocol=5).dump(v)
    except (pickle.PicklingError, RecursionError, ValueError) as exc:
        raise TypeError(str(exc)) from None
    return ("P", hashlib.blake2b(buffer.getbuffer(), digest_size=16).digest())


def call_key(node: Call) -> Any:
    """A hashable key for a Call subtree (None when it must not be reused), kept on the Call."""
    key: Any = node.key
    if key is not UNKNOWN_KEY:
        return key
    key = None
    comp = node.component
    cacheable = comp.cacheable
    if cacheable:
        props = node.props
        if props:
            vals = props.values()
            pk = (tuple(props.items()), tuple(map(type, vals)))
            try:
                hash(pk)
            except TypeError:
                try:
                    pk = tuple((name, _freeze(v)) for name, v in props.items())
                except TypeError:
                    pk = None
            if pk is not None:
                for v in vals:
                    if type(v) is str and len(v) > _MAX_CACHED_TEXT:
                        pk = None
                        break
        else:
            pk = ()
        if pk is not None:
            kids: Any = []
            append = kids.append
            for c in node.children:
                if type(c) is str:
                    if len(c) > _MAX_CACHED_TEXT:
                        kids = None
                        break
                    append(c)
                elif type(c) is Call:
                    ck = call_key(c)
                    if ck is None:
                        kids = None
                        break
                    append(ck)
                else:
                    kids = None
                    break
            if kids is not None:
                key = (id(comp), node.start, node.end, pk, tuple(kids))
    node.key = key
    return key


def _cache_key(node: Call, ctx: BuildContext, state: BuildState) -> Any:
    if ctx.wopts is not None:
        return None
    ck = call_key(node)
    if ck is None:
        return None
    cid = id(ctx)
    xk = state.ctx_keys.get(cid)
    if xk is None:
        sheet = ctx.sheet
        sk = state.sheet_keys.get(id(sheet))
        if sk is None:
            sk = state.sheet_keys[id(sheet)] = _sheet_key(sheet)
            state.alive[("sheet", id(sheet))] = sheet  # keep it alive so its id stays unique
        xk = (ctx.pres, ctx.lang, ctx.level, ctx.chat_ex, sk, state.loader_key)
        state.ctx_keys[cid] = xk
        state.alive[("ctx", cid)] = ctx  # keep the ctx alive so its id stays unique
    return (ck, xk)


def _sheet_key(sheet: dict) -> Any:
    if not sheet:
        return ""
    try:
        return json.dumps(sheet, sort_keys=True, default=repr)
    except (TypeError, ValueError):
        return ("id", id(sheet))
