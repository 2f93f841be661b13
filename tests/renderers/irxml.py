"""Test helper: IR XML text (as the reference prints it) -> poml.ir.Element."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from poml.ir import Element


def _convert(node: ET.Element) -> Element:
    children: list = []
    if node.text:
        children.append(node.text)
    for child in node:
        children.append(_convert(child))
        if child.tail:
            children.append(child.tail)
    attrs = {k: v for k, v in node.attrib.items()
             if k not in ("original-start-index", "original-end-index")}
    start = node.attrib.get("original-start-index")
    end = node.attrib.get("original-end-index")
    return Element(node.tag, attrs, children,
                   int(start) if start is not None else None,
                   int(end) + 1 if end is not None else None)


def ir(xml: str) -> Element:
    """Parse one IR element from XML."""
    return _convert(ET.fromstring(xml))
