"""Tolerant XML-like parsing of POML markup into nodes with source spans."""

from ._parser import XmlAttribute, XmlElement, XmlText, ParsedDocument, parse_markup

__all__ = ["XmlAttribute", "XmlElement", "XmlText", "ParsedDocument", "parse_markup"]
