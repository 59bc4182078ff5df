"""unspin: find the propaganda and persuasion techniques in news articles.

>>> import unspin
>>> analysis = unspin.analyze("article.txt")          # doctest: +SKIP
>>> for span in analysis.spans:                       # doctest: +SKIP
...     print(span.technique, repr(span.text))
>>> unspin.analyze_text("Only traitors would say that.").document.text
'Only traitors would say that.'

Importing unspin is cheap: the model, onnxruntime, web frameworks, pandas and spaCy load on
first use.
"""

from __future__ import annotations

import logging

from . import analysis as _analysis
from .adapters.frames import analyze_frame
from .analysis import SCHEMA, Analysis, ModelRef, Span, Summary
from .document import Document, Original, Piece
from .errors import (
    ConfigError,
    DependencyError,
    EncodingError,
    FetchError,
    InputError,
    ModelError,
    TooLargeError,
    UnspinError,
    URLNotAllowed,
)
from .options import Options
from .pipeline import analyze, analyze_text
from .techniques import TECHNIQUES, Technique

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "analyze",
    "analyze_text",
    "analyze_frame",
    "Options",
    "Analysis",
    "Span",
    "Summary",
    "ModelRef",
    "SCHEMA",
    "Document",
    "Original",
    "Piece",
    "Technique",
    "TECHNIQUES",
    "UnspinError",
    "InputError",
    "EncodingError",
    "TooLargeError",
    "FetchError",
    "URLNotAllowed",
    "ModelError",
    "ConfigError",
    "DependencyError",
]


def _notebook_html(analysis: Analysis) -> str:
    from .adapters.notebook import notebook_html

    return notebook_html(analysis)


# Jupyter shows an Analysis as its HTML report; wired here because the report stage imports
# ``analysis`` (which therefore cannot import the report stage itself).
_analysis.HTML_DISPLAY = _notebook_html

logging.getLogger(__name__).addHandler(logging.NullHandler())
