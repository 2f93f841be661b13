"""Intention components: Role, Task, OutputFormat, StepwiseInstructions, Hint,
Introducer, ExampleSet, Example, ExampleInput, ExampleOutput, Question.

All are captioned paragraphs with their own default captions; examples can
render as chat turns (input -> human, output -> ai).
"""

from __future__ import annotations

from . import essentials as E
from ._nodes import ComponentUse, Scoped
from ._syntax import syntax_presentation, without
from ._whitespace import trim_children
from ._registry import Param, component
from .captions import Caption, CaptionedParagraph, caption_params


def _captioned(name, caption, serialized, doc, style="header", keep_serialized=True, colon=False, ending=True):
    def fn(props, children, ctx):
        p = {"caption": props.get("caption") if props.get("caption") is not None else caption}
        if keep_serialized:
            cs = props.get("captionSerialized")
            p["captionSerialized"] = cs if cs is not None else serialized
        if style != "header":
            st = props.get("captionStyle")
            p["captionStyle"] = st if st is not None else style
        p.update(without(props, "caption", "captionSerialized", "captionStyle") if style != "header"
                 else without(props, "caption", "captionSerialized"))
        return [ComponentUse(CaptionedParagraph, p, children)]

    fn.__doc__ = doc
    return component(name, bases=["Paragraph"],
                     params=caption_params(caption, serialized, style, ending=ending, colon=colon))(fn)


Role = _captioned("Role", "Role", "role", "The role the model should take.")
Task = _captioned("Task", "Task", "task", "What the model should do.")
OutputFormat = _captioned("OutputFormat", "Output Format", "outputFormat", "The expected format of the answer.")
StepwiseInstructions = _captioned("StepwiseInstructions", "Stepwise Instructions", "stepwiseInstructions",
                                  "Instructions to follow step by step.")
Hint = _captioned("Hint", "Hint", "hint", "A hint; bold caption by default.", style="bold",
                  keep_serialized=False, colon=True, ending=False)
Introducer = _captioned("Introducer", "Introducer", "introducer",
                        "A sentence introducing what follows; caption hidden by default.", style="hidden",
                        keep_serialized=False)


def _chat_scope(chat):
    return lambda ctx: ctx.with_chat(chat)


@component("ExampleSet", aliases=["examples"], bases=["Paragraph"], params=[
    Param("caption", "string", default="Examples", description="The caption text."),
    Param("captionSerialized", "string", default="examples", description="Key in serialized syntaxes."),
    Param("chat", "boolean", description="Render examples as chat turns (default: true in markup syntaxes)."),
    Param("introducer", "string", description="A sentence introducing the examples."),
] + caption_params()[2:])
def example_set(props, children, ctx):
    """A set of examples with a caption and an optional introducer."""
    pres = syntax_presentation(props, ctx)
    chat = props.get("chat")
    if chat is None:
        chat = pres == "markup"
    introducer = props.get("introducer")
    examples = Scoped(_chat_scope(chat), trim_children(children, props.get("whiteSpace"), props, ctx.state))
    cap = props.get("caption")
    cs = props.get("captionSerialized")
    p = {"caption": cap if cap is not None else "Examples", "captionSerialized": cs if cs is not None else "examples"}
    p.update(without(props, "caption", "captionSerialized", "chat", "introducer"))
    intro = ComponentUse(Introducer, {}, [introducer]) if introducer and pres == "markup" else None
    return [ComponentUse(CaptionedParagraph, p, [intro, examples])]


@component("Example", bases=["Paragraph"], params=[
    Param("caption", "string", default="Example", description="The caption text."),
    Param("captionSerialized", "string", default="example", description="Key in serialized syntaxes."),
    Param("captionStyle", "string", default="hidden", description="How the caption shows (hidden by default)."),
    Param("chat", "boolean", description="Render input and output as chat turns."),
    Param("captionTextTransform", "string", default="none", description="Case transform of the caption."),
    Param("captionColon", "boolean", description="Whether a colon follows the caption."),
])
def example(props, children, ctx):
    """One example: an input and an output, as chat turns or captioned paragraphs."""
    pres = syntax_presentation(props, ctx)
    others = without(props, "caption", "captionSerialized", "captionStyle", "chat")
    if pres == "markup":
        cap = props.get("caption")
        cs = props.get("captionSerialized")
        st = props.get("captionStyle")
        p = {"caption": cap if cap is not None else "Example",
             "captionSerialized": cs if cs is not None else "example",
             "captionStyle": st if st is not None else "hidden"}
        p.update(others)
        chat = props.get("chat")
        if chat is not None:
            kids = [Scoped(_chat_scope(chat), trim_children(children, props.get("whiteSpace"), props, ctx.state))]
        else:
            kids = children
        return [ComponentUse(CaptionedParagraph, p, kids)]
    return [ComponentUse(E.Text, others, children)]


def _example_part(name, alias, caption, serialized, speaker, doc):
    def fn(props, children, ctx):
        sp = props.get("speaker") or (speaker if ctx.chat_ex else None)
        st = props.get("captionStyle") or ("hidden" if ctx.chat_ex else "bold")
        cap = props.get("caption")
        cs = props.get("captionSerialized")
        p = {"caption": cap if cap is not None else caption,
             "captionSerialized": cs if cs is not None else serialized,
             "captionStyle": st, "speaker": sp}
        p.update(without(props, "caption", "captionSerialized", "captionStyle", "speaker"))
        return [ComponentUse(CaptionedParagraph, p, children)]

    fn.__doc__ = doc
    params = [
        Param("caption", "string", default=caption, description="The caption text."),
        Param("captionSerialized", "string", default=serialized, description="Key in serialized syntaxes."),
        Param("speaker", "string", default=speaker, description=f"Speaker ({speaker} in chat examples)."),
        Param("captionStyle", "string", ("header", "bold", "plain", "hidden"), default="hidden",
              description="How the caption shows (hidden in chat examples, bold otherwise)."),
        Param("captionTextTransform", "string", ("upper", "level", "capitalize", "none"), default="none",
              description="Case transform of the caption."),
        Param("captionColon", "boolean", description="Whether a colon follows the caption."),
    ]
    return component(name, aliases=[alias], bases=["Paragraph"], params=params)(fn)


ExampleInput = _example_part("ExampleInput", "input", "Input", "input", "human", "The input of an example.")
ExampleOutput = _example_part("ExampleOutput", "output", "Output", "output", "ai", "The output of an example.")


@component("Question", aliases=["qa"], bases=["Paragraph"], params=[
    Param("questionCaption", "string", default="Question", description="Caption of the question."),
    Param("answerCaption", "string", default="Answer", description="Caption of the answer that follows."),
    Param("captionSerialized", "string", default="question", description="Key in serialized syntaxes."),
    Param("captionStyle", "string", ("header", "bold", "plain", "hidden"), default="bold",
          description="How the captions show."),
    Param("captionTextTransform", "string", ("upper", "level", "capitalize", "none"), default="none",
          description="Case transform of the captions."),
    Param("captionEnding", "string", ("colon", "newline", "colon-newline", "none"),
          description="What follows the captions."),
])
def question(props, children, ctx):
    """A question followed by an answer caption for the model to complete."""
    pres = syntax_presentation(props, ctx)
    qc = props.get("questionCaption")
    ac = props.get("answerCaption")
    cs = props.get("captionSerialized")
    st = props.get("captionStyle")
    qc = qc if qc is not None else "Question"
    ac = ac if ac is not None else "Answer"
    st = st if st is not None else "bold"
    others = without(props, "questionCaption", "answerCaption", "captionSerialized", "captionStyle")
    p = {"caption": qc, "captionSerialized": cs if cs is not None else "question", "captionStyle": st}
    p.update(others)
    kids = [ComponentUse(CaptionedParagraph, p, children)]
    if ac and pres == "markup":
        a = {"caption": ac, "captionStyle": st, "captionTailingSpace": False}
        a.update(others)
        kids.append(ComponentUse(Caption, a))
    return [ComponentUse(E.Paragraph, {}, kids)]
