"""A LangChain prompt template that renders POML (``pip install langchain-core``).

>>> from poml.integration.langchain import LangchainPomlTemplate
>>> t = LangchainPomlTemplate.from_template("<p>Hello {{name}}!</p>")
>>> t.invoke({"name": "Alice"}).to_messages()
[HumanMessage(content='Hello Alice!', additional_kwargs={}, response_metadata={})]

The markup is written as for ``poml.poml``; LangChain does not parse it (its
f-string rules would choke on POML's braces). :meth:`LangchainPomlTemplate.from_file`
renders the file itself, so relative ``src=`` paths resolve against its
folder. The variables given to ``format``/``invoke`` become the POML context.

With ``speaker_mode=True`` (default) the result is a ``ChatPromptValue`` of the
rendered messages; with ``speaker_mode=False`` a ``StringPromptValue`` of the
rendered text (an error when the markup renders to several messages or to
non-text content).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional, Union

from . import require

_core = require("langchain_core", "langchain-core", "poml.integration.langchain")
_messages = require("langchain_core.messages", "langchain-core", "poml.integration.langchain")
_values = require("langchain_core.prompt_values", "langchain-core", "poml.integration.langchain")
_prompts = require("langchain_core.prompts", "langchain-core", "poml.integration.langchain")

ChatPromptValue = _values.ChatPromptValue
StringPromptValue = _values.StringPromptValue
PromptTemplate = _prompts.PromptTemplate

__all__ = ["LangchainPomlTemplate", "poml_formatter"]


def poml_formatter(markup: Union[str, Path], speaker_mode: bool, context: Optional[dict] = None) -> list:
    """Render ``markup`` with ``context`` and return LangChain message objects."""
    from .._api import poml

    response = poml(markup, context=context, chat=speaker_mode, format="langchain")
    return _messages.messages_from_dict(response["messages"])


class LangchainPomlTemplate(PromptTemplate):  # type: ignore[misc, valid-type]
    """A LangChain ``PromptTemplate`` whose template is POML markup.

    Attributes:
        template_file: the ``.poml`` file rendered by :meth:`format`, when
            created with :meth:`from_file` (else the ``template`` text is rendered).
        speaker_mode: ``True`` gives a ``ChatPromptValue`` of messages,
            ``False`` a ``StringPromptValue`` of plain text.
    """

    template_file: Union[str, Path, None] = None
    speaker_mode: bool = True

    @property
    def lc_attributes(self) -> dict[str, Any]:
        return {"template_file": self.template_file, "speaker_mode": self.speaker_mode}

    @classmethod
    def get_lc_namespace(cls) -> list[str]:
        return ["poml", "integration", "langchain"]

    @classmethod
    def from_examples(cls, *args: Any, **kwargs: Any) -> "LangchainPomlTemplate":
        raise NotImplementedError(
            "LangchainPomlTemplate does not support from_examples; use from_template or from_file."
        )

    @classmethod
    def from_file(cls, template_file: Union[str, Path], *args: Any, speaker_mode: bool = True,
                  **kwargs: Any) -> "LangchainPomlTemplate":
        """Load the markup from ``template_file``; rendering reads that file (its folder anchors ``src=``)."""
        instance = super().from_file(template_file, **kwargs)
        instance.template_file = template_file
        instance.speaker_mode = speaker_mode
        return instance

    @classmethod
    def from_template(cls, template: str, *args: Any, speaker_mode: bool = True,
                      **kwargs: Any) -> "LangchainPomlTemplate":
        """Build from markup text, written as for ``poml.poml`` (``{{name}}`` is a POML expression).

        POML does its own templating, so LangChain does not parse the text:
        markup with braces of any kind (JSON, ``{{ {'a': 1} }}``) is accepted,
        and ``input_variables`` stays empty (every variable given is passed on
        as context).
        """
        kwargs.pop("template_format", None)
        instance = super().from_template("", *args, **kwargs)
        instance.template = template
        instance.input_variables = []
        instance.speaker_mode = speaker_mode
        return instance

    def format(self, **kwargs: Any) -> Any:  # type: ignore[override]
        """Render with ``kwargs`` (merged with partial variables) as the POML context."""
        variables = self._merge_partial_and_user_variables(**kwargs)
        source = self.template_file if self.template_file else self.template
        messages = poml_formatter(source, self.speaker_mode, variables)
        if self.speaker_mode:
            return ChatPromptValue(messages=messages)
        if len(messages) != 1:
            raise ValueError(
                f"speaker_mode=False needs the markup to render to one message; it rendered {len(messages)}: {messages}"
            )
        content = messages[0].content
        if isinstance(content, list):
            if len(content) != 1:
                raise ValueError(f"speaker_mode=False cannot represent multi-part content: {content}")
            content = content[0]
        if not isinstance(content, str):
            raise ValueError(f"speaker_mode=False needs text content, got: {content!r}")
        return StringPromptValue(text=content)

    def format_prompt(self, **kwargs: Any) -> Any:
        return self.format(**kwargs)
