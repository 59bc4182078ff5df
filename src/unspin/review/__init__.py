"""The review loop: unspin's spans out to reviewers, their corrections back as training data.

    format.py       the corrections format (JSON Lines): Review, Correction, reading, latest
    labelstudio.py  Label Studio: labelling config, tasks with predictions, reading an export
    export.py       what goes out: analyses read from unspin's JSON or made from articles
    store.py        reviews in the store's database (tables of their own)
    cli.py          ``unspin review config|export|import|dump|apply``
"""

from __future__ import annotations

from .format import ACTIONS, Correction, Review, latest, read_reviews, training_lines

__all__ = ["ACTIONS", "Correction", "Review", "latest", "read_reviews", "training_lines"]
