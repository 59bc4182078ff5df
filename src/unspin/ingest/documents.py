"""Office documents: the text layer of a PDF (pypdf) and the paragraphs of a DOCX
(python-docx), with title, authors and date from the file's own metadata.

Both libraries come with the ``documents`` extra and are imported only when such a file is
read. ``Document.text`` is the extracted text, and every span offset indexes it; there is no
map back to the file's bytes (``pieces`` stays empty). A PDF without a text layer (a scan) is
refused with a hint to run OCR first, an encrypted one with a hint to remove its password.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime

from ..document import Document
from ..errors import InputError, require, shorten

__all__ = ["DOCUMENT_KINDS", "sniff", "from_pdf", "from_docx", "from_bytes"]

#: kind -> the suffixes that name it
DOCUMENT_KINDS = {"pdf": (".pdf",), "docx": (".docx",)}
#: a DOCX whose parts unpack to more than this many bytes is refused (a zip bomb: the size cap
#: applies to the file, not to what it unpacks to)
MAX_UNPACKED = 200_000_000
# "Microsoft Word - draft.docx", "report.pdf": a tool's name for the file, not a headline
_FILE_TITLE = re.compile(r"^(microsoft \w+ - .*|.*\.(docx?|pdf|odt|rtf|txt|indd|pages))$",
                         re.IGNORECASE)


def sniff(name: str, data: bytes) -> str | None:
    """``"pdf"`` or ``"docx"`` when ``data`` is such a file (by its suffix, or by its first
    bytes whatever the name), else None.

    >>> sniff("a.txt", b"%PDF-1.4 ..."), sniff("notes.txt", b"plain"), sniff("x.PDF", b"")
    ('pdf', None, 'pdf')
    """
    if data.lstrip(b"\x00\t\r\n ")[:5] == b"%PDF-":
        return "pdf"
    if data[:4] == b"PK\x03\x04" and _is_docx(data):
        return "docx"
    lower = name.lower()
    return next((kind for kind, suffixes in DOCUMENT_KINDS.items()
                 if lower.endswith(suffixes)), None)


def _is_docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return "word/document.xml" in zf.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def from_bytes(kind: str, data: bytes, *, source: str | None = None,
               doc_id: str | None = None) -> Document:
    """The Document of a PDF or DOCX file's bytes (``kind`` as ``sniff`` gives it)."""
    reader = from_pdf if kind == "pdf" else from_docx
    return reader(data, source=source, doc_id=doc_id)


def from_pdf(data: bytes, *, source: str | None = None, doc_id: str | None = None) -> Document:
    """The text layer of a PDF, page after page (pages apart by a blank line), with the title,
    author and creation date of its document information."""
    name = shorten(source or "input")
    pypdf = require("pypdf", "documents")
    from pypdf.errors import PyPdfError

    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not _opens_without_password(reader, name):
            raise InputError(f"{name}: this PDF is encrypted with a password; save a copy "
                             "without the password (or export its text) and give that")
        pages = [(page.extract_text() or "") for page in reader.pages]
        info = reader.metadata
    except InputError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            RecursionError, OSError, NotImplementedError, AssertionError) as exc:
        raise InputError(f"{name}: not a readable PDF ({_reason(exc)})") from None
    if not pages:
        raise InputError(f"{name}: this PDF has no pages")
    text = "\n\n".join(_tidy(p) for p in pages if p.strip())
    if not text.strip():
        raise InputError(f"{name}: this PDF has no text layer (a scanned document?); run OCR "
                         "first (for example ocrmypdf) and give the result")
    title = authors = published = None
    if info is not None:
        title = _meta_text(info, "title")
        authors = _meta_text(info, "author")
        published = _iso(_meta_date(info, "creation_date"))
    return _document(text, kind="pdf", title=title, authors=authors, published=published,
                     source=source, doc_id=doc_id)


def _opens_without_password(reader, name: str) -> bool:
    """Many PDFs are encrypted with an empty user password (only printing or copying is
    restricted): those open. AES needs the ``cryptography`` package, which pypdf names."""
    from pypdf.errors import DependencyError as PdfDependencyError

    try:
        return bool(reader.decrypt(""))
    except PdfDependencyError:
        raise InputError(f"{name}: this PDF is AES-encrypted; reading it needs the "
                         "cryptography package: pip install cryptography") from None


def _meta_text(info, field: str) -> str | None:
    try:
        value = getattr(info, field)
    except Exception:  # noqa: BLE001 - a broken info dictionary is metadata we do not have
        return None
    if not value:
        return None
    return " ".join(str(value).split()) or None


def _meta_date(info, field: str) -> datetime | None:
    try:
        return getattr(info, field)
    except Exception:  # noqa: BLE001 - pypdf raises on a malformed date string
        return None


def from_docx(data: bytes, *, source: str | None = None, doc_id: str | None = None
              ) -> Document:
    """The paragraphs of a DOCX (tables' cells included, in document order; paragraphs apart
    by a blank line), with the title, author and creation date of its core properties."""
    name = shorten(source or "input")
    _check_unpacked(data, name)
    docx = require("docx", "documents")
    try:
        word = docx.Document(io.BytesIO(data))
        paragraphs = list(_paragraphs(word))
        core = word.core_properties
        title, author, created = core.title, core.author, core.created
    except (zipfile.BadZipFile, KeyError, ValueError, AttributeError, TypeError,
            OSError) as exc:
        raise InputError(f"{name}: not a readable DOCX file ({_reason(exc)})") from None
    except Exception as exc:  # noqa: BLE001 - lxml's and python-docx's own parse errors
        raise InputError(f"{name}: not a readable DOCX file ({_reason(exc)})") from None
    text = "\n\n".join(paragraphs)
    if not text.strip():
        raise InputError(f"{name}: this DOCX file holds no text")
    return _document(text, kind="docx", title=" ".join((title or "").split()) or None,
                     authors=author, published=_iso(created), source=source, doc_id=doc_id)


def _paragraphs(word):
    """Non-empty paragraph texts in body order, a table's cells row by row."""
    for block in word.iter_inner_content():
        if hasattr(block, "rows"):
            for row in block.rows:
                for cell in row.cells:
                    for p in cell.paragraphs:
                        if p.text.strip():
                            yield p.text.strip()
        elif block.text.strip():
            yield block.text.strip()


def _check_unpacked(data: bytes, name: str) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            unpacked = sum(i.file_size for i in zf.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputError(f"{name}: not a readable DOCX file ({_reason(exc)})") from None
    if unpacked > MAX_UNPACKED:
        raise InputError(f"{name}: this DOCX unpacks to {unpacked} bytes, over the "
                         f"{MAX_UNPACKED}-byte limit for documents")


def _document(text: str, *, kind: str, title: str | None, authors: str | None,
              published: str | None, source: str | None, doc_id: str | None) -> Document:
    if title and _FILE_TITLE.match(title):
        title = None
    if title is None:  # the first paragraph, when it is short enough to be a headline
        first = text.lstrip().split("\n\n", 1)[0].strip()
        title = first if 0 < len(first) <= 300 and "\n" not in first else None
    names = tuple(dict.fromkeys(" ".join(a.split()) for a in re.split(r"[;\n]", authors or "")
                                if a.strip()))
    return Document(text=text, id=doc_id, title=title, authors=names, published=published,
                    source=source, kind=kind)


def _tidy(page: str) -> str:
    """A page's text with trailing spaces cut and runs of blank lines made one."""
    lines = [line.rstrip() for line in page.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")


def _iso(value) -> str | None:
    if isinstance(value, datetime | date):
        return value.strftime("%Y-%m-%d")
    return None


def _reason(exc: BaseException) -> str:
    return shorten(" ".join(str(exc).split()) or type(exc).__name__, 120)
