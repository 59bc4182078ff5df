"""PDF and DOCX files: text, metadata, refusals; every file is built here, in the test."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

import pytest

from unspin import ingest
from unspin.errors import DependencyError, InputError
from unspin.ingest.documents import sniff

pypdf = pytest.importorskip("pypdf")
docx = pytest.importorskip("docx")

BODY = ("They are traitors, every one of them, and they will destroy us all. "
        "The people deserve better than this corrupt gang of thieves.")


def _pdf(pages: list[list[str]], info: dict[str, str] | None = None) -> bytes:
    """A PDF whose pages show ``pages``' lines in Helvetica (an empty list: a page with no
    text, as a scan has), written object by object with a correct cross-reference table."""
    objects: list[bytes] = []
    kids = []
    font = 3 + 2 * len(pages)
    for i, lines in enumerate(pages):
        page, content = 3 + 2 * i, 4 + 2 * i
        kids.append(page)
        ops = ["BT", "/F1 11 Tf", "14 TL", "50 780 Td"]
        for line in lines:
            escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            ops += [f"({escaped}) Tj", "T*"]
        ops.append("ET")
        stream = "\n".join(ops).encode("latin-1") if lines else b""
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents "
                       f"{content} 0 R /Resources << /Font << /F1 {font} 0 R >> >> >>".encode())
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    catalog = b"<< /Type /Catalog /Pages 2 0 R >>"
    tree = (f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] "
            f"/Count {len(kids)} >>").encode()
    objects = [catalog, tree, *objects,
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    trailer_info = ""
    if info:
        fields = " ".join(f"/{k} ({v})" for k, v in info.items())
        objects.append(f"<< {fields} >>".encode("latin-1"))
        trailer_info = f" /Info {len(objects)} 0 R"
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % n + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R{trailer_info} >>\n"
              f"startxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def _docx(paragraphs: list[str], *, title=None, author=None, table=None) -> bytes:
    d = docx.Document()
    for p in paragraphs:
        d.add_paragraph(p)
    if table:
        t = d.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                t.cell(r, c).text = value
    if title:
        d.core_properties.title = title
    if author:
        d.core_properties.author = author
    d.core_properties.created = datetime(2024, 3, 15, 9, 30)
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def test_pdf_text_layer_and_metadata(tmp_path):
    path = tmp_path / "article42.pdf"
    path.write_bytes(_pdf([["Storm over the capital", "", BODY[:60], BODY[60:]], [BODY]],
                          {"Title": "Storm over the capital", "Author": "Jane Roe; Ann Lee",
                           "CreationDate": "D:20240315120000Z"}))
    doc = ingest.load(path)
    assert doc.kind == "pdf" and doc.id == "42"
    assert (doc.title, doc.authors, doc.published) == (
        "Storm over the capital", ("Jane Roe", "Ann Lee"), "2024-03-15")
    assert "traitors" in doc.text and "corrupt gang" in doc.text
    assert "\n\n" in doc.text  # pages apart by a blank line
    i = doc.text.index("traitors")
    assert doc.text[i:i + 8] == "traitors"  # offsets index the extracted text


def test_pdf_found_by_content_whatever_its_name(tmp_path):
    path = tmp_path / "download.txt"
    path.write_bytes(_pdf([[BODY]]))
    doc = ingest.load(path)
    assert doc.kind == "pdf" and "traitors" in doc.text
    assert doc.title is None or len(doc.title) <= 300


def test_scanned_pdf_without_text_layer_is_refused(tmp_path):
    path = tmp_path / "scan.pdf"
    path.write_bytes(_pdf([[], []]))
    with pytest.raises(InputError, match=r"scan\.pdf: this PDF has no text layer .*run OCR"):
        ingest.load(path)


def test_encrypted_pdf_is_refused_in_one_line(tmp_path):
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(_pdf([[BODY]]))))
    writer.encrypt("secret", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    path = tmp_path / "locked.pdf"
    path.write_bytes(out.getvalue())
    with pytest.raises(InputError, match="locked.pdf: this PDF is encrypted") as err:
        ingest.load(path)
    assert "\n" not in str(err.value)


def test_pdf_with_empty_user_password_opens(tmp_path):
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(_pdf([[BODY]]))))
    writer.encrypt("", owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    path = tmp_path / "restricted.pdf"
    path.write_bytes(out.getvalue())
    assert "traitors" in ingest.load(path).text


def test_broken_pdf_is_one_line(tmp_path):
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.4\n1 0 obj <<< garbage")
    with pytest.raises(InputError, match="broken.pdf: not a readable PDF") as err:
        ingest.load(path)
    assert "\n" not in str(err.value)


def test_docx_paragraphs_tables_and_core_properties(tmp_path):
    path = tmp_path / "memo.docx"
    path.write_bytes(_docx(["Storm over the capital", BODY, "  ", "Second paragraph."],
                           title="Storm over the capital", author="Jane Roe",
                           table=[["Votes", "1200"]]))
    doc = ingest.load(path)
    assert doc.kind == "docx" and doc.id == "memo"
    assert doc.text == (f"Storm over the capital\n\n{BODY}\n\nSecond paragraph.\n\n"
                        "Votes\n\n1200")
    assert doc.title == "Storm over the capital" and doc.authors == ("Jane Roe",)
    assert doc.published == "2024-03-15"


def test_docx_found_by_content_and_title_from_first_paragraph(tmp_path):
    path = tmp_path / "noname"
    path.write_bytes(_docx(["A short headline", BODY]))
    doc = ingest.load(path)
    assert doc.kind == "docx" and doc.title == "A short headline"


def test_empty_docx_and_plain_zip(tmp_path):
    empty = tmp_path / "empty.docx"
    empty.write_bytes(_docx([]))
    with pytest.raises(InputError, match="empty.docx: this DOCX file holds no text"):
        ingest.load(empty)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("a.txt", "hello")
    assert sniff("x.zip", buf.getvalue()) is None
    fake = tmp_path / "fake.docx"
    fake.write_bytes(buf.getvalue())
    with pytest.raises(InputError, match="fake.docx: not a readable DOCX file"):
        ingest.load(fake)


def test_docx_zip_bomb_is_refused(tmp_path, monkeypatch):
    import unspin.ingest.documents as documents

    monkeypatch.setattr(documents, "MAX_UNPACKED", 1000)
    path = tmp_path / "big.docx"
    path.write_bytes(_docx([BODY] * 50))
    with pytest.raises(InputError, match="unpacks to .* over the 1000-byte limit"):
        ingest.load(path)


def test_forced_kind_reads_bytes_as_text(tmp_path):
    path = tmp_path / "a.pdf"
    path.write_bytes(_pdf([[BODY]]))
    with pytest.raises(InputError):  # binary-looking or not prose: not silently a PDF
        ingest.load(path, kind="html")


def test_missing_library_names_the_extra(tmp_path, monkeypatch):
    import sys

    path = tmp_path / "a.pdf"
    path.write_bytes(_pdf([[BODY]]))
    monkeypatch.setitem(sys.modules, "pypdf", None)
    with pytest.raises(DependencyError, match=r"pip install 'unspin\[documents\]'"):
        ingest.load(path)


def test_cli_reads_a_pdf_and_refuses_a_scan(tmp_path, capsys):
    from unspin.cli import main

    scan = tmp_path / "scan.pdf"
    scan.write_bytes(_pdf([[]]))
    assert main(["analyze", str(scan), "--no-enrich"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "no text layer" in err
