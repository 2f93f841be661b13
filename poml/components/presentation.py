"""Lowest-level presentation components (internal): markup, serialize, free, multimedia.

They decide when a new ``env`` IR element is needed (the presentation, the
markup language or serializer, or the writer options change) and emit the
primitive IR tags (``p``, ``span``, ``h``, ``b`` ...). Registered under the
reference's internal names (``Markup.Paragraph`` ...), not public.
"""

from __future__ import annotations

from ._nodes import END, START, ComponentUse, Host, ReadError, Scoped
from ._render import call
from ._syntax import without
from ._values import js_json, js_truthy
from ._whitespace import trim_children
from ._registry import component

DEFAULT_MARKUP_LANG = "markdown"
DEFAULT_SERIALIZER = "json"


def _internal(name: str):
    return component(name, public=False)


# ---------------------------------------------------------------- Markup

def _env_scope(pres, lang, wopts):
    return lambda ctx: ctx.env(pres, lang, wopts)


@_internal("Markup.Environment")
def markup_environment(props, children, ctx):
    lang = props.get("markupLang")
    wopts = props.get("writerOptions")
    if not lang:
        lang = ctx.lang if ctx.pres == "markup" else DEFAULT_MARKUP_LANG
    if ctx.pres == "markup" and ctx.lang == lang and not js_truthy(wopts):
        return children if type(children) is list else [children]
    kids = trim_children(children, props.get("whiteSpace"), props, ctx.state)
    attrs = {"presentation": "markup", "markupLang": lang, "writerOptions": wopts,
             START: props.get(START), END: props.get(END)}
    return [Host("env", attrs, [Scoped(_env_scope("markup", lang, wopts), kids)])]


@_internal("Markup.EncloseSerialize")
def markup_enclose_serialize(props, children, ctx):
    others = without(props, "inline")
    p = {"inline": props.get("inline") or False}
    p.update(others)
    return call(MarkupCode, p, children, ctx)


def _simple(tag):
    def fn(props, children, ctx):
        others = without(props, "markupLang", "presentation")
        env_props = dict(others)
        env_props["markupLang"] = props.get("markupLang")
        env_props["presentation"] = props.get("presentation")
        return call(MarkupEnvironment, env_props, [Host(tag, others, children)], ctx)
    return fn


MarkupEnvironment = markup_environment
MarkupParagraph = _internal("Markup.Paragraph")(_simple("p"))
MarkupInline = _internal("Markup.Inline")(_simple("span"))
MarkupBold = _internal("Markup.Bold")(_simple("b"))
MarkupItalic = _internal("Markup.Italic")(_simple("i"))
MarkupStrikethrough = _internal("Markup.Strikethrough")(_simple("s"))
MarkupUnderline = _internal("Markup.Underline")(_simple("u"))
MarkupCode = _internal("Markup.Code")(_simple("code"))
MarkupTableContainer = _internal("Markup.TableContainer")(_simple("table"))
MarkupTableHead = _internal("Markup.TableHead")(_simple("thead"))
MarkupTableBody = _internal("Markup.TableBody")(_simple("tbody"))
MarkupTableRow = _internal("Markup.TableRow")(_simple("trow"))
MarkupTableCell = _internal("Markup.TableCell")(_simple("tcell"))


@_internal("Markup.Newline")
def markup_newline(props, children, ctx):
    others = without(props, "newlineCount")
    attrs = {"count": props.get("newlineCount")}
    attrs.update(others)
    return call(MarkupEnvironment, others, [Host("nl", attrs)], ctx)


@_internal("Markup.Header")
def markup_header(props, children, ctx):
    attrs = {"level": ctx.level}
    attrs.update(props)
    return call(MarkupEnvironment, props, [Host("h", attrs, children)], ctx)


def _level_scope(level):
    return lambda ctx: ctx.with_level(level)


@_internal("Markup.SubContent")
def markup_subcontent(props, children, ctx):
    return [Scoped(_level_scope(ctx.level + 1), [ComponentUse(MarkupParagraph, props, children)])]


LIST_STYLES = ("star", "dash", "plus", "decimal", "latin")


@_internal("Markup.List")
def markup_list(props, children, ctx):
    style = props.get("listStyle")
    if style is None:
        style = "dash"
    others = without(props, "listStyle")
    if style not in LIST_STYLES:
        raise ReadError(f"Invalid list style: {style}", others)
    attrs = {"listStyle": style}
    attrs.update(others)
    return call(MarkupEnvironment, others, [Host("list", attrs, children)], ctx)


@_internal("Markup.ListItem")
def markup_list_item(props, children, ctx):
    return [Host("item", props, children)]


# ---------------------------------------------------------------- Serialize

@_internal("Serialize.Environment")
def serialize_environment(props, children, ctx):
    serializer = props.get("serializer")
    wopts = props.get("writerOptions")
    others = without(props, "presentation", "serializer", START, END, "writerOptions", "sourcePath", "inline")
    if not serializer:
        serializer = ctx.lang if ctx.pres == "serialize" else DEFAULT_SERIALIZER
    if ctx.pres == "serialize" and ctx.lang == serializer and not js_truthy(wopts):
        elem = children
    else:
        kids = trim_children(children, props.get("whiteSpace"), props, ctx.state)
        attrs = {"presentation": "serialize", "serializer": serializer,
                 START: props.get(START), END: props.get(END), "writerOptions": wopts}
        elem = Host("env", attrs, [Scoped(_env_scope("serialize", serializer, wopts), kids)])
    if ctx.pres == "markup":
        inline = props.get("inline")
        p = {"inline": False if inline is None else inline, "lang": serializer}
        p.update(others)
        return call(MarkupEncloseSerialize, p, [elem], ctx)
    return elem if type(elem) is list else [elem]


MarkupEncloseSerialize = markup_enclose_serialize


@_internal("Serialize.Any")
def serialize_any(props, children, ctx):
    others = without(props, "name", "type")
    attrs = {"name": props.get("name"), "type": props.get("type")}
    attrs.update(others)
    return call(SerializeEnvironment, others, [Host("any", attrs, children)], ctx)


SerializeEnvironment = serialize_environment

# Props the chain below reads or rewrites: with any of them the caller takes the chain itself.
_READ_BY_THE_CHAIN = ("presentation", "asAny", "children", "serializer", "className", "writerOptions")


def serialized_any_in_place(props: dict, children, ctx, type_default=None):
    """What AnyOrFree -> Serialize.Any -> Serialize.Environment make of a value written in the
    serializer already open around it (every element inside ``<poml syntax="xml">``): one
    ``any`` host, built in one step instead of three component calls and their prop copies.

    None when the chain would do more (another serializer, writer options, a stylesheet, a
    prop the chain reads), so the caller runs it; tests/poml/test_component_chains.py checks
    the two agree.
    """
    if ctx.pres != "serialize" or ctx.sheet:
        return None
    syntax = props.get("syntax")
    if syntax and syntax != ctx.lang:
        return None
    for key in _READ_BY_THE_CHAIN:
        if key in props:
            return None
    t = props.get("type")
    attrs = {"name": props.get("name"), "type": t if t is not None else type_default, "serializer": syntax}
    for k, v in props.items():
        if k != "syntax" and k != "name" and k != "type":
            attrs[k] = v
    return [Host("any", attrs, children)]


@_internal("Serialize.Object")
def serialize_object(props, children, ctx):
    others = without(props, "data")
    data = props.get("data")
    attrs = {"data": None if data is None else js_json(data)}
    attrs.update(others)
    return call(SerializeEnvironment, others, [Host("obj", attrs)], ctx)


# ---------------------------------------------------------------- Free

@_internal("Free.Environment")
def free_environment(props, children, ctx):
    wopts = props.get("writerOptions")
    ws = props.get("whiteSpace")
    if ws is None:
        ws = "pre"
    others = without(props, "presentation", START, END, "writerOptions", "sourcePath", "whiteSpace", "inline")
    if ctx.pres == "free" and not js_truthy(wopts):
        elem = children
    else:
        tp = dict(props)
        tp["whiteSpace"] = ws
        kids = trim_children(children, ws, tp, ctx.state)
        attrs = {"presentation": "free", START: props.get(START), END: props.get(END),
                 "writerOptions": wopts, "whiteSpace": ws}
        elem = Host("env", attrs, [Scoped(_env_scope("free", None, wopts), kids)])
    if ctx.pres == "markup":
        inline = props.get("inline")
        p = {"inline": False if inline is None else inline}
        p.update(others)
        return call(MarkupEncloseSerialize, p, [elem], ctx)
    if ctx.pres == "serialize":
        return call(SerializeAny, others, [elem], ctx)
    return [elem]


SerializeAny = serialize_any
FreeEnvironment = free_environment


@_internal("Free.Text")
def free_text(props, children, ctx):
    ws = props.get("whiteSpace")
    if ws is None:
        ws = "pre"
    others = without(props, "whiteSpace")
    env_props = {"whiteSpace": ws}
    env_props.update(others)
    attrs = {"whiteSpace": ws}
    attrs.update(others)
    return [ComponentUse(FreeEnvironment, env_props, [Host("text", attrs, children)])]


FreeText = free_text


# ---------------------------------------------------------------- MultiMedia

@_internal("MultiMedia.Environment")
def multimedia_environment(props, children, ctx):
    wopts = props.get("writerOptions")
    if ctx.pres == "multimedia" and not js_truthy(wopts):
        return [children]
    kids = trim_children(children, props.get("whiteSpace"), props, ctx.state)
    attrs = {"presentation": "multimedia", START: props.get(START), END: props.get(END), "writerOptions": wopts}
    return [Host("env", attrs, [Scoped(_env_scope("multimedia", None, wopts), kids)])]


MultiMediaEnvironment = multimedia_environment


def _media(tag):
    def fn(props, children, ctx):
        return [ComponentUse(MultiMediaEnvironment, props, [Host(tag, props)])]
    return fn


MultiMediaImage = _internal("MultiMedia.Image")(_media("img"))
MultiMediaAudio = _internal("MultiMedia.Audio")(_media("audio"))


@_internal("MultiMedia.ToolRequest")
def multimedia_tool_request(props, children, ctx):
    others = without(props, "id", "name", "parameters")
    attrs = {"id": props.get("id"), "name": props.get("name"), "content": props.get("parameters")}
    attrs.update(others)
    return [ComponentUse(MultiMediaEnvironment, others, [Host("toolrequest", attrs)])]


@_internal("MultiMedia.ToolResponse")
def multimedia_tool_response(props, children, ctx):
    others = without(props, "id", "name")
    attrs = {"id": props.get("id"), "name": props.get("name")}
    attrs.update(others)
    return [ComponentUse(MultiMediaEnvironment, others, [Host("toolresponse", attrs, children)])]


MultiMediaToolRequest = multimedia_tool_request
MultiMediaToolResponse = multimedia_tool_response


MarkupHeader = markup_header
MarkupNewline = markup_newline
MarkupSubContent = markup_subcontent
MarkupList = markup_list
MarkupListItem = markup_list_item
SerializeObject = serialize_object
