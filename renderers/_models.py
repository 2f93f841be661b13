"""Pydantic models of the ``pydantic`` output format (names and fields as in the official SDK).

Imported lazily: ``import renderers`` does not import pydantic.
"""

from __future__ import annotations

from typing import Any, Dict, List, Literal, Optional, Union

from pydantic import BaseModel


class ContentMultiMedia(BaseModel):
    type: str  # image/png, image/jpeg, ...
    base64: str
    alt: Optional[str] = None


class ContentMultiMediaToolRequest(BaseModel):
    type: Literal["application/vnd.poml.toolrequest"]
    id: str
    name: str
    content: Any  # the tool's arguments


class ContentMultiMediaToolResponse(BaseModel):
    type: Literal["application/vnd.poml.toolresponse"]
    id: str
    name: str
    content: Union[str, List[Union[str, ContentMultiMedia]]]


RichContent = Union[
    str, List[Union[str, ContentMultiMedia, ContentMultiMediaToolRequest, ContentMultiMediaToolResponse]]
]

Speaker = Literal["human", "ai", "system", "tool"]


class PomlMessage(BaseModel):
    speaker: Speaker
    content: RichContent


class PomlFrame(BaseModel):
    messages: List[PomlMessage]
    output_schema: Optional[Dict[str, Any]] = None  # "schema" would shadow a BaseModel attribute
    tools: Optional[List[Dict[str, Any]]] = None
    runtime: Optional[Dict[str, Any]] = None
