"""The two formats of GeoReport v2: XML with the spec's element names (UTF-8, declared), and
JSON mapped from it (lists are bare arrays, as in the spec's examples)."""

import json
import re

from flask import Response

JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"
# The element each member of a list is wrapped in.
ITEM = {"services": "service", "service_requests": "request", "errors": "error",
        "attributes": "attribute", "values": "value", "endpoints": "endpoint",
        "formats": "format"}
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    text = _NOT_XML.sub("", str(value))
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _element(name: str, value, out: list) -> None:
    if value is None:
        out.append(f"<{name}></{name}>")
    elif isinstance(value, dict):
        out.append(f"<{name}>")
        for key, child in value.items():
            _element(key, child, out)
        out.append(f"</{name}>")
    elif isinstance(value, list):
        out.append(f"<{name}>")
        for child in value:
            _element(ITEM[name], child, out)
        out.append(f"</{name}>")
    else:
        out.append(f"<{name}>{_text(value)}</{name}>")


def xml_document(root: str, data) -> str:
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n']
    _element(root, data, out)
    return "".join(out)


def body_of(ext: str, root: str, data) -> str:
    """`data` is a list (the root's items) or a dict (the root's children)."""
    if ext == "json":
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return xml_document(root, data)


def respond(ext: str, body, status: int = 200, headers=None) -> Response:
    return Response(body, status, headers, content_type=JSON_TYPE if ext == "json"
                    else XML_TYPE)


def render(ext: str, root: str, data, status: int = 200, headers=None) -> Response:
    return respond(ext, body_of(ext, root, data), status, headers)

