"""The JSON Schema of ``Analysis.to_dict()``, generated from the result types.

``python -m unspin.schema`` rewrites ``analysis.schema.json`` beside this file; a test fails when
the committed file and the types drift apart. Generation needs pydantic (the ``test`` extra);
reading the committed file does not.
"""

from __future__ import annotations

import json
from pathlib import Path

__all__ = ["SCHEMA_FILE", "build", "load"]

SCHEMA_FILE = Path(__file__).with_name("analysis.schema.json")


def build() -> dict:
    """Generate the schema from the dataclasses in ``unspin.analysis``, ``unspin.document`` and
    ``unspin.enrich.types``."""
    from pydantic import TypeAdapter

    from ..analysis import SCHEMA, Analysis
    from ..document import Document

    schema = TypeAdapter(Analysis).json_schema(mode="serialization")
    defs = schema["$defs"]
    doc = defs["Document"]
    for name in Document.INTERNAL:
        doc["properties"].pop(name, None)
    defs.pop("Piece", None)
    for d in [schema, *defs.values()]:
        d["required"] = list(d["properties"])  # to_dict always writes every key
        d["additionalProperties"] = False
        if "description" in d:
            d["description"] = d["description"].split("\n\n")[0].replace("\n", " ")
    schema["properties"]["schema"] = {"const": SCHEMA, "title": "Schema", "type": "string"}
    # to_dict writes lists for tuples
    doc["properties"]["authors"] = {"type": "array", "items": {"type": "string"}}
    doc["properties"]["tags"] = {"type": "array", "items": {"type": "string"}}
    schema["properties"]["spans"] = {"type": "array", "items": {"$ref": "#/$defs/Span"}}
    # the enrich stage's tally writes techniques as objects and adds its one-line summary
    tally = defs["TallyRow"]["properties"]
    tally["techniques"] = {"type": "array", "items": {
        "type": "object", "additionalProperties": False, "required": ["technique", "count"],
        "properties": {"technique": {"type": "string"}, "count": {"type": "integer"}}}}
    tally["summary"] = {"type": "string", "title": "Summary"}
    defs["TallyRow"]["required"] = list(tally)
    schema["properties"]["enrichment"].pop("default", None)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "https://unspin.invalid/schema/analysis-2.json",
            "description": "An unspin analysis: one article, its technique spans, summary, "
                           "quotes, targets and claims.",
            **schema}


def load() -> dict:
    """The committed schema."""
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))

