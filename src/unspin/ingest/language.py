"""The language of an article, offline: unspin's models read English only.

``check_language(doc, any_language=...)`` runs before detection for every entry point (the
pipeline calls it). It records the language in ``Document.language`` when the source gave none,
and refuses text that is clearly not English with one line naming the language; with
``any_language`` such text is analysed and the Analysis carries a warning every report shows.

English articles, nearly all input, are known from their function words ("the", "and",
"of", ...: ``_meta.guess_language``) without loading anything. Other text goes to py3langid's
naive Bayes model, shipped inside its package (140 languages, about 4.5 MB, loaded once per
process in about a second and a half; an article then takes a few milliseconds).
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass

from ..document import Document
from ..errors import DependencyError, InputError, shorten
from ._meta import guess_language

log = logging.getLogger(__name__)

__all__ = ["Guess", "detect", "check_language", "language_name", "MIN_LETTERS",
           "REFUSE_CONFIDENCE", "RECORD_CONFIDENCE"]

#: text with fewer letters than this is never refused (too short to be sure)
MIN_LETTERS = 200
#: the model's probability of a language other than English that refuses the text
REFUSE_CONFIDENCE = 0.95
#: below this the language is not recorded (unknown stays None, never invented)
RECORD_CONFIDENCE = 0.9
#: characters read from the start of the text (enough to be sure, and a bounded time)
SAMPLE_CHARS = 10_000

_LETTER = re.compile(r"[^\W\d_]")
_NOT_LANGUAGES = frozenset({"zxx", "und"})  # "no linguistic content", "undetermined"

_NAMES = {
    "af": "Afrikaans", "ar": "Arabic", "az": "Azerbaijani", "be": "Belarusian",
    "bg": "Bulgarian", "bn": "Bengali", "bs": "Bosnian", "ca": "Catalan", "cs": "Czech",
    "cy": "Welsh", "da": "Danish", "de": "German", "el": "Greek", "en": "English",
    "eo": "Esperanto", "es": "Spanish", "et": "Estonian", "eu": "Basque", "fa": "Persian",
    "fi": "Finnish", "fr": "French", "ga": "Irish", "gl": "Galician", "he": "Hebrew",
    "hi": "Hindi", "hr": "Croatian", "hu": "Hungarian", "hy": "Armenian", "id": "Indonesian",
    "is": "Icelandic", "it": "Italian", "ja": "Japanese", "ka": "Georgian", "kk": "Kazakh",
    "ko": "Korean", "la": "Latin", "lt": "Lithuanian", "lv": "Latvian", "mk": "Macedonian",
    "ms": "Malay", "mt": "Maltese", "nl": "Dutch", "nn": "Norwegian Nynorsk",
    "no": "Norwegian", "pl": "Polish", "pt": "Portuguese", "ro": "Romanian", "ru": "Russian",
    "sk": "Slovak", "sl": "Slovenian", "sq": "Albanian", "sr": "Serbian", "sv": "Swedish",
    "sw": "Swahili", "ta": "Tamil", "th": "Thai", "tl": "Tagalog", "tr": "Turkish",
    "uk": "Ukrainian", "ur": "Urdu", "uz": "Uzbek", "vi": "Vietnamese", "zh": "Chinese",
}

_model = None
_model_lock = threading.Lock()


@dataclass(frozen=True)
class Guess:
    """A language (ISO 639 code) and the model's probability of it (0-1)."""

    code: str
    confidence: float


def language_name(code: str) -> str:
    """The English name of an ISO 639 code, or the code itself when unknown.

    >>> language_name("ru"), language_name("gug")
    ('Russian', 'gug')
    """
    return _NAMES.get(code, code)


def _identifier():
    """py3langid's identifier with probabilities, loaded once per process."""
    global _model
    if _model is None:
        with _model_lock:
            if _model is None:
                try:
                    from py3langid.langid import MODEL_FILE, LanguageIdentifier
                except ImportError:
                    raise DependencyError("py3langid is not installed (unspin needs it to "
                                          "tell the language); install it with: pip install "
                                          "py3langid") from None

                _model = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    return _model


def detect(text: str) -> Guess:
    """The most likely language of ``text`` (its first ``SAMPLE_CHARS`` characters), by
    py3langid's model.

    >>> detect("Это статья о выборах в парламент, которые пройдут в следующем месяце.").code
    'ru'
    """
    code, confidence = _identifier().classify(text[:SAMPLE_CHARS])
    return Guess(code, float(confidence))


def check_language(doc: Document, *, any_language: bool = False
                   ) -> tuple[Document, tuple[str, ...]]:
    """``doc`` with its language recorded (when the source gave none and the guess is sure),
    and the warnings for its Analysis. Clearly non-English text (at least ``MIN_LETTERS``
    letters, ``REFUSE_CONFIDENCE`` sure) raises InputError unless ``any_language``; shorter
    text is let through as it is.

    >>> doc, warnings = check_language(Document("the cat sat on the mat and it was fine " * 9))
    >>> doc.language, warnings
    ('en', ())
    """
    sample = doc.text[:SAMPLE_CHARS]
    if guess_language(sample) == "en":  # sure from function words: no model needed
        return (doc if doc.language else doc.with_(language="en")), ()
    if len(_LETTER.findall(sample)) < MIN_LETTERS:  # too short to be sure of anything
        return doc, ()
    guess = detect(sample)
    known = guess.code not in _NOT_LANGUAGES
    if doc.language is None and known and guess.confidence >= RECORD_CONFIDENCE:
        doc = doc.with_(language=guess.code)
    if guess.code == "en" or not known or guess.confidence < REFUSE_CONFIDENCE:
        return doc, ()
    what = f"{language_name(guess.code)} ({guess.code}, {guess.confidence:.0%} sure)"
    if not any_language:
        name = shorten(doc.source or doc.id or "input")
        message = (f"{name}: the text looks like {what}; unspin's models read English only, "
                   "so its spans would be meaningless")
        raise InputError(f"{message}: give an English article, or pass --any-language to "
                         "analyse it anyway",
                         public=f"{message}: send an English article, or set "
                                "options.any_language to true to analyse it anyway")
    log.warning("%s: analysing text that looks like %s", doc.id or doc.source or "input", what)
    return doc, (f"the text looks like {what}, but unspin's models read English only: the "
                 "spans, targets and claims of this report are unreliable",)
