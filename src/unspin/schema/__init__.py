"""The JSON Schema of ``Analysis.to_dict()``, generated from the result types.

``python -m unspin.schema`` rewrites ``analysis.schema.json`` beside this file; a test fails when
the committed file and the types drift apart. Generation needs pydantic (the ``test`` extra);
reading the committed file does not.

The result types are plain dataclasses, so what each field means is written here
(``DESCRIPTIONS``) and put into the schema as its ``description``; a test fails when a field has
none.
"""

from __future__ import annotations

import json
from pathlib import Path

__all__ = ["DESCRIPTIONS", "SCHEMA_FILE", "build", "load"]

SCHEMA_FILE = Path(__file__).with_name("analysis.schema.json")

_OFFSET = "Python str index, 0-based, in Unicode code points"

#: ``{type: {field: description}}`` for every field of the JSON; "Analysis" is the top level.
DESCRIPTIONS: dict[str, dict[str, str]] = {
    "Analysis": {
        "document": "The article that was analysed: its clean text, which every offset in this "
                    "result indexes, and its metadata.",
        "spans": "The technique spans found, in text order; spans of different techniques may "
                 "overlap. Other fields refer to a span by its 0-based index in this array.",
        "summary": "Counts over the article: words, sentences, spans per technique, density and "
                   "intensity.",
        "model": "The model that produced the spans.",
        "schema": "Version of this result format; a change to the format gets a new version.",
        "enrichment": "Quotes, targets, tally, claims and entities found by the enrich stage; "
                      "null when the stage was skipped (--no-enrich, or \"options\": "
                      "{\"enrich\": false} in the HTTP API).",
        "warnings": "Why the spans may not be trusted, one sentence each, shown by every "
                    "report; empty for a normal analysis. E.g. text that is clearly not English "
                    "analysed anyway (--any-language, \"options\": {\"any_language\": true}): "
                    "the models read English only. Results of unspin.analysis/2 and older have "
                    "none.",
        "taxonomy": "The technique taxonomy the model speaks, which every technique id, name "
                    "and count in this result belongs to: '2020' (the 14 techniques of "
                    "SemEval-2020 Task 11) or '2023' (the 23 of SemEval-2023 Task 3, in six "
                    "groups; 'unspin techniques --taxonomy 2023'). Results of "
                    "unspin.analysis/3 and older are '2020'.",
    },
    "Document": {
        "text": "The clean article text that was analysed (the title, when one was found, is "
                "usually its first paragraph). Every start/end offset in the result is a "
                f"{_OFFSET}, into this string, end exclusive.",
        "id": "The article's id: a file's name without its suffix ('article123.txt' gives "
              "'123'), 'stdin' for standard input, in a batch the row's id or the file's path "
              "below the folder; null when none was given (e.g. text sent to the HTTP API).",
        "title": "The headline, or null when none was found.",
        "authors": "Author names as the article or page gives them; empty when unknown.",
        "published": "Publication date as found, ISO 8601 (YYYY-MM-DD); in batch runs a row's "
                     "value is kept as given even when it is not a date; null when unknown.",
        "outlet": "Name of the site or publication that carries the article; null when unknown.",
        "original": "Where the article says it was first published (an 'Originally published "
                    "at ...' note); null when it says nothing of the kind.",
        "tags": "Categories and tags the page gives, without duplicates; empty when none.",
        "url": "The article's address (the page's own URL, the address fetched, or the row's "
               "url); null when unknown.",
        "language": "ISO 639 code of the article's language: as the page declares it, else "
                    "detected from the text (English function words, else py3langid's model "
                    "of 140 languages, at least 90% sure); null when neither declared nor "
                    "sure (short texts of under 200 letters are not judged).",
    },
    "Original": {
        "outlet": "The outlet named as the first publisher; null when not named.",
        "published": "Date of first publication, ISO 8601 (YYYY-MM-DD); null when not given.",
    },
    "Span": {
        "start": f"Offset in document.text of the span's first character ({_OFFSET}).",
        "end": "Offset in document.text just after the span's last character (end exclusive).",
        "technique": "Technique id in the result's taxonomy: one of the 14 PTC techniques, "
                     "e.g. 'Loaded_Language', 'Name_Calling,Labeling', "
                     "'Appeal_to_fear-prejudice' ('2020'), or of the 23 SemEval-2023 ones, "
                     "e.g. 'Name_Calling-Labeling', 'Straw_Man' ('2023').",
        "name": "Readable name of the technique, e.g. 'Loaded language'.",
        "score": "The model's confidence, 0 to 1, rounded to 4 decimals. For calibrated models "
                 "(minilm-spans.v2 and later) it estimates the chance that annotators marked "
                 "this passage, at least in part, with this technique.",
        "text": "The span's words: document.text[start:end].",
    },
    "Summary": {
        "words": "Number of words in document.text (runs of letters, digits and underscores; "
                 "an apostrophe inside a word does not split it).",
        "sentences": "Number of sentences in document.text (a rough split after . ! ? or … "
                     "followed by white space, and at every line break; the title counts).",
        "counts": "Number of spans per technique id; every technique of the result's "
                  "taxonomy is listed, with 0 when unused.",
        "per_1000_words": "Spans per 1,000 words, rounded to 2 decimals; 0 when the text has no "
                          "words.",
        "sentences_with_technique": "Number of sentences that at least one span overlaps.",
        "intensity": "Share of sentences that contain at least one technique span, in percent, "
                     "as a whole number from 0 to 100 (0 when there are no sentences).",
        "top": "Up to three technique ids with the most spans, most frequent first (ties in "
               "alphabetical order); techniques with no span are left out.",
    },
    "ModelRef": {
        "name": "The model's versioned name, e.g. 'minilm-spans.v4'.",
        "version": "The model's version, e.g. '4'.",
        "fingerprint": "sha256 (64 hex digits) over the name and sha256 of every file at the "
                       "top of the model's folder (weights, tokenizer, config with the decoding "
                       "settings, card): the same fingerprint means the same model behaviour. "
                       "For a result read from unspin.analysis/1, that record's encoder hash.",
    },
    "Enrichment": {
        "method": "Name and version of the enrich rules, e.g. 'rules.v1'; a change in behaviour "
                  "gets a new name.",
        "quotes": "Direct quotes, in text order. Claims refer to a quote by its 0-based index "
                  "in this array.",
        "targets": "Who each span of a targeting technique (Name calling, Loaded language, "
                   "Doubt, Appeal to fear, Flag-waving) is aimed at, in span order; spans whose "
                   "target was not found have no entry.",
        "tally": "The targeted entities, most-targeted first (ties by name).",
        "claims": "Check-worthy factual sentences, most check-worthy first (by rank).",
        "entities": "The people, groups, countries, organisations and other names in the "
                    "article, each with all its mentions; most-mentioned first.",
    },
    "Quote": {
        "start": "Offset in document.text of the first quoted character, after any opening "
                 f"quotation mark ({_OFFSET}).",
        "end": "Offset in document.text just after the last quoted character, before any "
               "closing quotation mark (end exclusive).",
        "text": "What was said: document.text[start:end], without the quotation marks.",
        "kind": "'inline': inside quotation marks (double or single, straight or curly); "
                "'block': a paragraph introduced by a colon (\"Here's what Kerry said:\") or a "
                "Markdown '>' block quote.",
        "speaker": "The fullest name the article gives the speaker ('Jane Smith' when the quote "
                   "is attributed to 'Smith' or 'she'); null when no speaker could be named.",
        "speaker_start": "Offset in document.text of the mention that attributes the quote: a "
                         "name, or a pronoun (he, she, they) even when it resolves to a name. "
                         "Null when no mention does (e.g. an all-quote paragraph that goes on "
                         "with the previous speaker); it may be set while speaker is null (a "
                         "pronoun that could not be resolved).",
        "speaker_end": "Offset in document.text just after that attributing mention (end "
                       "exclusive); null exactly when speaker_start is null.",
        "cue": "The attributing word or phrase, lower-cased: e.g. 'said', 'told', 'according "
               "to', or ':' for a colon introduction without a speech verb; null when none was "
               "found.",
        "confidence": "A rough probability, 0 to 1 (2 decimals), that both the quote's extent "
                      "and its speaker are right: from 0.3 (nothing attributes it) to 0.9 (a "
                      "speech verb right next to a named speaker).",
    },
    "Target": {
        "span": "0-based index of the technique span in the top-level spans array.",
        "technique": "The span's technique id: 'Name_Calling,Labeling', 'Loaded_Language', "
                     "'Doubt', 'Appeal_to_fear-prejudice' or 'Flag-Waving' (only these are "
                     "given targets).",
        "span_start": "The span's start offset in document.text (spans[span].start).",
        "span_end": "The span's end offset in document.text, end exclusive (spans[span].end).",
        "entity": "Who the span is aimed at: the entity's fullest name as in entities[].name, "
                  "or for how 'group-noun' the lower-cased group noun ('terrorists').",
        "kind": "The target's kind as in entities[].kind: person, group, country or org "
                "('group' for a group noun; rarely 'other').",
        "start": "Offset in document.text of the mention chosen as the target: the name, the "
                 "pronoun or possessive word (he, their) it was resolved from, or the group "
                 f"noun ({_OFFSET}).",
        "end": "Offset in document.text just after that mention (end exclusive).",
        "text": "The mention as written: document.text[start:end] (e.g. 'Smith', 'their').",
        "how": "Why this target: 'inside' (the span names it), 'possessive' (a possessive just "
               "before the span: \"Kerry's slobbering tone\", \"their crackpots\"), 'group-noun' "
               "(a group noun inside the span: \"terrorist vermin\"), 'nearby' (the nearest name "
               "in the span's sentence, within about 60 characters) or 'pronoun' (a pronoun "
               "there, resolved to the last fitting mention).",
    },
    "TallyRow": {
        "entity": "The targeted entity, as in targets[].entity.",
        "kind": "Its kind, as in targets[].kind.",
        "count": "Number of spans aimed at it (the length of spans).",
        "techniques": "The techniques of those spans with their counts, most used first.",
        "spans": "0-based indices into the top-level spans array of the spans aimed at it, in "
                 "text order.",
        "summary": "One readable line, '<entity> — <n> spans, ...', naming only techniques that "
                   "stand out, with their counts: e.g. 'John Kerry — 15 spans, mostly Loaded "
                   "language (12)', 'K — 4 spans, Loaded language (3) and Doubt (1)', 'K — 3 "
                   "spans, 3 techniques'.",
    },
    "Claim": {
        "start": f"Offset in document.text of the sentence's first character ({_OFFSET}).",
        "end": "Offset in document.text just after the sentence (end exclusive).",
        "text": "The sentence: document.text[start:end].",
        "score": "Check-worthiness, a sum of cue weights (not a probability): +0.8 a number, "
                 "+0.6 a date, +0.4 per named entity (up to 3), +0.7 an event or reporting "
                 "verb, +0.4 an attributed quote; -0.9 per opinion word (up to 2), -0.8 a "
                 "closing '!', -0.5 you/your, -0.4 I/me/my, -0.2 per technique span inside (up "
                 "to 3). Claims score from 0.7 to 3.7, rounded to 2 decimals.",
        "rank": "1 for the most check-worthy claim, then 2, 3, ... by falling score (ties in "
                "text order).",
        "reasons": "The cues that raised the score, in this order: 'number', 'date', 'named' "
                   "(names an entity), 'event' (an event or reporting verb), 'attributed quote' "
                   "(overlaps a quote with a named speaker).",
        "quotes": "0-based indices into enrichment.quotes of the quotes that overlap the "
                  "sentence.",
        "spans": "0-based indices into the top-level spans array of the technique spans that "
                 "overlap the sentence (each lowers the score).",
    },
    "Entity": {
        "name": "The fullest name the article uses ('John Kerry' for 'Kerry' and \"Kerry's\"); "
                "for a country, the country ('Russia' for 'Russian', 'Russians').",
        "kind": "'person', 'group', 'country', 'org', or 'other' (a region or a name that is "
                "none of these).",
        "mentions": "Every place the entity is named, in text order.",
    },
    "Mention": {
        "start": f"Offset in document.text of the mention's first character ({_OFFSET}).",
        "end": "Offset in document.text just after the mention (end exclusive).",
        "text": "The mention as written: document.text[start:end].",
    },
}
_TALLY_TECHNIQUE = {
    "technique": "Technique id, e.g. 'Loaded_Language'.",
    "count": "Number of spans of that technique aimed at the entity.",
}


def build() -> dict:
    """Generate the schema from the dataclasses in ``unspin.analysis``, ``unspin.document`` and
    ``unspin.enrich.types``."""
    from pydantic import TypeAdapter

    from ..analysis import SCHEMA, Analysis
    from ..document import Document
    from ..techniques import TAXONOMIES

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
    schema["properties"]["taxonomy"] = {"enum": list(TAXONOMIES), "title": "Taxonomy",
                                        "type": "string"}
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
    for name, fields in DESCRIPTIONS.items():
        props = (schema if name == "Analysis" else defs[name])["properties"]
        for key, text in fields.items():
            props[key]["description"] = text  # a KeyError: a description of no field
    for key, text in _TALLY_TECHNIQUE.items():
        tally["techniques"]["items"]["properties"][key]["description"] = text
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "https://unspin.invalid/schema/analysis-2.json",
            "description": "An unspin analysis: one article, its technique spans, summary, "
                           "quotes, targets and claims.",
            **schema}


def load() -> dict:
    """The committed schema."""
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))

