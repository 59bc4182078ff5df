"""The result type and its JSON contract."""

import json

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from unspin.analysis import SCHEMA, Analysis, ModelRef, make_span, summarize
from unspin.document import Document, Original
from unspin.schema import build, load
from unspin.techniques import TECHNIQUE_IDS


def sample() -> Analysis:
    text = "A Title\n\nThey are traitors, all of them! Really? Yes."
    spans = (make_span(text, 18, 26, "Name_Calling,Labeling", 0.91),
             make_span(text, 9, 48, "Loaded_Language", 0.5))
    doc = Document(text, id="x1", title="A Title", authors=("Ann Author",), published="2020-01-02",
                   outlet="Example News", original=Original("Other Site", "2020-01-01"),
                   tags=("Politics",), url="https://example.org/a", language="en")
    return Analysis(doc, spans, summarize(text, spans), ModelRef("m.v1", "1", "ab" * 32))


def test_committed_schema_matches_the_types():
    assert load() == build(), "run: python -m unspin.schema"


def test_every_field_of_the_schema_is_described():
    def walk(node, path):
        if isinstance(node, dict):
            for name, prop in node.get("properties", {}).items():
                where = f"{path}.{name}"
                desc = prop.get("description")
                assert isinstance(desc, str) and desc.strip(), f"{where}: no description"
                yield where
            for key, value in node.items():
                yield from walk(value, f"{path}/{key}")
        elif isinstance(node, list):
            for k, value in enumerate(node):
                yield from walk(value, f"{path}[{k}]")

    for schema in (load(), build()):
        fields = list(walk(schema, "#"))
        assert len(fields) > 70  # every type's fields were walked, nested ones too


def test_output_validates_against_schema_and_round_trips():
    a = sample()
    d = a.to_dict()
    jsonschema.validate(d, load())
    assert d["schema"] == SCHEMA
    assert Analysis.from_dict(json.loads(a.to_json())).to_dict() == d


def test_schema_rejects_missing_and_extra_fields():
    d = sample().to_dict()
    del d["summary"]["intensity"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(d, load())
    d = sample().to_dict()
    d["document"]["pieces"] = []
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(d, load())


def test_summary_counts_and_intensity():
    a = sample()
    s = a.summary
    assert s.counts["Name_Calling,Labeling"] == 1 and set(s.counts) == set(TECHNIQUE_IDS)
    assert s.words == 10
    # sentences: "A Title", "They are ... them!", "Really?", "Yes." -> 1 of 4 has spans... the
    # Loaded_Language span [9, 49) reaches into "Really?" too
    assert s.sentences == 4
    assert s.sentences_with_technique == 2
    assert s.intensity == 50
    assert s.top[0] in ("Loaded_Language", "Name_Calling,Labeling")


@given(st.text(max_size=200), st.data())
def test_span_text_is_always_its_slice(text, data):
    if not text:
        return
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    span = make_span(text, start, end, "Doubt", 0.5)
    assert span.text == text[span.start:span.end]
    summarize(text, [span])


def test_enrichment_round_trips_and_validates():
    from unspin import analyze_text

    text = ('Minister Jane Smith denied the report. "These corrupt liars will ruin us," Smith '
            'said on Monday. The army took control of the airport on Tuesday after a week of '
            'fighting, officials said.')
    a = analyze_text(text, title="Airport falls")
    d = a.to_dict()
    jsonschema.validate(d, load())
    assert d["enrichment"]["method"] and d["enrichment"]["quotes"]
    q = d["enrichment"]["quotes"][0]
    assert a.document.text[q["start"]:q["end"]] == q["text"] and q["speaker"] == "Jane Smith"
    assert Analysis.from_dict(json.loads(a.to_json())).to_dict() == d
    skipped = analyze_text(text, enrich=False).to_dict()
    assert skipped["enrichment"] is None
    jsonschema.validate(skipped, load())


def test_schema_1_records_are_still_read_and_unknown_ones_refused():
    from unspin.errors import InputError

    d = sample().to_dict()
    old = {**d, "schema": "unspin.analysis/1", "model": {"name": "m.v1", "version": "1",
                                                         "sha256": "cd" * 32}}
    del old["enrichment"]
    a = Analysis.from_dict(old)
    assert a.model.fingerprint == "cd" * 32 and a.enrichment is None and a.schema == SCHEMA
    with pytest.raises(InputError, match="unknown analysis schema"):
        Analysis.from_dict({**d, "schema": "unspin.analysis/9"})


def test_a_models_info_is_its_ref_and_adds_nothing_to_the_json():
    """``detect.ModelInfo`` is a ModelRef plus where the model is installed; an Analysis
    records only the ref, whichever of the two it is given, byte for byte."""
    from dataclasses import replace

    from unspin.detect import ModelInfo

    a = sample()
    info = ModelInfo(*(getattr(a.model, k) for k in ("name", "version", "fingerprint")),
                     backend="onnx-spans", path="/models/m", size=123, card=None)
    assert isinstance(info, ModelRef) and info.ref() == a.model
    b = replace(a, model=info)
    assert type(b.model) is ModelRef and b.to_json() == a.to_json()
    assert Analysis.from_dict(json.loads(b.to_json())) == a
