"""The taxonomy: the 14 SemEval-2020 Task 11 techniques, with names, definitions and colours.

Technique ids are exactly the labels of the PTC corpus (``techniques.txt``). The corpus's
annotators used 18 fine-grained techniques; the task merged some and dropped one. ``FINE_TO_TASK``
maps the fine-grained names onto the 14 ids so data labelled with the fine-grained scheme can be
used too.

Colours are light backgrounds for dark text, all fourteen taken from Paul Tol's colour-blind-safe
"light" and "pale" schemes (the most frequent techniques get the most saturated ones); each
technique also has a short ``code`` so no view relies on colour alone.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Technique", "TECHNIQUES", "TECHNIQUE_IDS", "BY_ID", "FINE_TO_TASK", "get", "normalize",
           "table"]


@dataclass(frozen=True)
class Technique:
    id: str
    name: str
    code: str
    definition: str
    example: str
    colour: str


TECHNIQUES: tuple[Technique, ...] = (
    Technique(
        "Appeal_to_Authority", "Appeal to authority", "AUT",
        "Claims something is true because an expert, official or institution says so, "
        "without other evidence.",
        "Every serious economist agrees the tariff will pay for itself.", "#BBCCEE"),
    Technique(
        "Appeal_to_fear-prejudice", "Appeal to fear or prejudice", "FEA",
        "Builds support by stirring anxiety or panic about an alternative, "
        "or by playing on preconceived judgements.",
        "If this bill passes, your children will not be safe walking to school.", "#FFAABB"),
    Technique(
        "Bandwagon,Reductio_ad_hitlerum", "Bandwagon / Reductio ad Hitlerum", "BAN",
        "Urges joining in because everyone else does, or rejects an idea because a "
        "despised group holds it.",
        "Millions have already switched; don't be the last one left behind.", "#CCEEFF"),
    Technique(
        "Black-and-White_Fallacy", "Black-and-white fallacy", "B&W",
        "Presents two options as the only ones possible when more exist.",
        "Either you back the plan or you want the city to go bankrupt.", "#CCDDAA"),
    Technique(
        "Causal_Oversimplification", "Causal oversimplification", "CAU",
        "Gives a single cause for an outcome that has many.",
        "Crime went up the year the new mayor arrived, so the mayor caused it.", "#99DDFF"),
    Technique(
        "Doubt", "Doubt", "DOU",
        "Questions the credibility of someone or something to undermine it.",
        "Can we really trust a minister who was wrong about the budget last year?", "#44BB99"),
    Technique(
        "Exaggeration,Minimisation", "Exaggeration / minimisation", "EXA",
        "Makes something look much bigger, better or worse than it is, or downplays it.",
        "The worst disaster in the history of modern government.", "#BBCC33"),
    Technique(
        "Flag-Waving", "Flag-waving", "FLA",
        "Appeals to patriotism or group identity to justify or promote an idea.",
        "Any true patriot will stand with our soldiers on this.", "#AAAA00"),
    Technique(
        "Loaded_Language", "Loaded language", "LOA",
        "Uses words with strong emotional connotations to sway the reader.",
        "The reckless scheme was rammed through in the dead of night.", "#EE8866"),
    Technique(
        "Name_Calling,Labeling", "Name calling / labelling", "NAM",
        "Attaches a label the audience fears, hates or loves to a person or group.",
        "The so-called experts in their ivory tower ignored the farmers.", "#77AADD"),
    Technique(
        "Repetition", "Repetition", "REP",
        "Repeats the same message or phrase so the audience comes to accept it.",
        "Secure the border. We must secure the border. Only then, secure the border.", "#DDDDDD"),
    Technique(
        "Slogans", "Slogans", "SLO",
        "A short, striking phrase that may include labelling and stereotyping.",
        "Jobs, not excuses!", "#EEDD88"),
    Technique(
        "Thought-terminating_Cliches", "Thought-terminating cliché", "THO",
        "A short, generic phrase that discourages critical thought and ends discussion.",
        "It is what it is.", "#EEEEBB"),
    Technique(
        "Whataboutism,Straw_Men,Red_Herring", "Whataboutism / straw man / red herring", "WHA",
        "Deflects by charging the opponent with hypocrisy, distorting their position, "
        "or bringing in an irrelevant issue.",
        "They criticise our spending, but what about the money they wasted in 2010?",
        "#FFCCCC"),
)

TECHNIQUE_IDS: tuple[str, ...] = tuple(t.id for t in TECHNIQUES)
BY_ID: dict[str, Technique] = {t.id: t for t in TECHNIQUES}

FINE_TO_TASK: dict[str, str] = {
    "Loaded_Language": "Loaded_Language",
    "Name_Calling,Labeling": "Name_Calling,Labeling",
    "Repetition": "Repetition",
    "Exaggeration,Minimisation": "Exaggeration,Minimisation",
    "Doubt": "Doubt",
    "Appeal_to_fear-prejudice": "Appeal_to_fear-prejudice",
    "Flag-Waving": "Flag-Waving",
    "Causal_Oversimplification": "Causal_Oversimplification",
    "Slogans": "Slogans",
    "Appeal_to_Authority": "Appeal_to_Authority",
    "Black-and-White_Fallacy": "Black-and-White_Fallacy",
    "Thought-terminating_Cliches": "Thought-terminating_Cliches",
    "Whataboutism": "Whataboutism,Straw_Men,Red_Herring",
    "Straw_Men": "Whataboutism,Straw_Men,Red_Herring",
    "Red_Herring": "Whataboutism,Straw_Men,Red_Herring",
    "Bandwagon": "Bandwagon,Reductio_ad_hitlerum",
    "Reductio_ad_hitlerum": "Bandwagon,Reductio_ad_hitlerum",
    # Obfuscation,Intentional_Vagueness,Confusion was dropped by the task (11 cases).
}
for _tid in TECHNIQUE_IDS:
    FINE_TO_TASK.setdefault(_tid, _tid)


def _key(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


_LOOKUP: dict[str, str] = {}
for _fine, _task in FINE_TO_TASK.items():
    _LOOKUP[_key(_fine)] = _task
for _t in TECHNIQUES:
    _LOOKUP[_key(_t.name)] = _t.id
    _LOOKUP[_key(_t.code)] = _t.id


def normalize(name: str) -> str | None:
    """Map a technique label in any common spelling to its task id, or None if unknown.

    >>> normalize("name calling, labeling")
    'Name_Calling,Labeling'
    >>> normalize("Straw_Men")
    'Whataboutism,Straw_Men,Red_Herring'
    """
    return _LOOKUP.get(_key(name))


def get(technique_id: str) -> Technique:
    """The Technique for an id (exact or any spelling ``normalize`` accepts)."""
    tid = technique_id if technique_id in BY_ID else normalize(technique_id)
    if tid is None:
        from .errors import ConfigError

        raise ConfigError(
            f"unknown technique {technique_id!r}; run 'unspin techniques' to list them"
        )
    return BY_ID[tid]


def table(techniques: tuple[Technique, ...] = TECHNIQUES, width: int = 100) -> str:
    """The techniques as a table for a terminal ``width`` characters wide: code, name and id
    on one line (the id below when they do not fit), then the definition and an example,
    wrapped and indented.

    >>> print(table(TECHNIQUES[-3:-2], width=50))
    CODE  TECHNIQUE  ID (for --techniques and JSON)
    <BLANKLINE>
    SLO   Slogans    Slogans
          A short, striking phrase that may include
          labelling and stereotyping.
          Example: "Jobs, not excuses!"
    <BLANKLINE>
    """
    import textwrap

    width = max(40, min(width, 120))
    indent = " " * 6
    name_w = max(len("TECHNIQUE"), *(len(t.name) for t in techniques))
    rows = [f"{t.code:<6}{t.name:<{name_w}}  {t.id}" for t in techniques]
    header = f"{'CODE':<6}{'TECHNIQUE':<{name_w}}  ID (for --techniques and JSON)"
    if len(header) > width:
        header = f"{'CODE':<6}{'TECHNIQUE':<{name_w}}  ID"
    fits = all(len(r) <= width for r in rows) and len(header) <= width
    lines = [header if fits else f"{'CODE':<6}TECHNIQUE and id", ""]
    for t, row in zip(techniques, rows):
        wrap = dict(width=width, initial_indent=indent, subsequent_indent=indent,
                    break_long_words=False, break_on_hyphens=False)
        if fits:
            lines.append(row)
        else:
            lines += textwrap.wrap(f"{t.code:<6}{t.name}", **{**wrap, "initial_indent": ""})
            lines.append(f"{indent}id: {t.id}")
        lines += textwrap.wrap(t.definition, **wrap)
        lines += textwrap.wrap(f'Example: "{t.example}"', **wrap)
        lines.append("")
    return "\n".join(lines)
