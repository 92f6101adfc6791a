"""Builders of test input files: PDFs with or without a text layer, DOCX files, AGORA folders.

Imported by the corpus and CLI tests (``sys.path`` gets this folder in each test module).
"""

from __future__ import annotations

import csv
import io


def make_pdf(path, pages: list[list[str]], title: str | None = None):
    """A PDF whose pages carry the given lines as real text (Helvetica), or blank pages for []."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    for lines in pages:
        page = writer.add_blank_page(612, 792)
        if not lines:
            continue
        font = DictionaryObject({NameObject("/Type"): NameObject("/Font"),
                                 NameObject("/Subtype"): NameObject("/Type1"),
                                 NameObject("/BaseFont"): NameObject("/Helvetica")})
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})})
        ops = ["BT /F1 11 Tf 14 TL 72 720 Td"] + [f"({ln}) Tj T*" for ln in lines] + ["ET"]
        stream = DecodedStreamObject()
        stream.set_data("\n".join(ops).encode("latin-1"))
        page.replace_contents(stream)
    if title:
        writer.add_metadata({"/Title": title})
    buf = io.BytesIO()
    writer.write(buf)
    path.write_bytes(buf.getvalue())
    return path


def make_docx(path, paragraphs: list[str], table: list[list[str]] | None = None, title: str | None = None):
    import docx

    d = docx.Document()
    for p in paragraphs:
        d.add_paragraph(p)
    if table:
        t = d.add_table(rows=len(table), cols=len(table[0]))
        for i, row in enumerate(table):
            for j, cell in enumerate(row):
                t.cell(i, j).text = cell
    if title:
        d.core_properties.title = title
    d.save(str(path))
    return path


AGORA_HEADER = ["AGORA ID", "Official name", "Casual name", "Link to document", "Authority", "Collections",
                "Most recent activity", "Most recent activity date", "Proposed date", "Tags",
                "Applications: Arts, sports, leisure,\ntravel, and lifestyle"]


def make_agora(root, rows, texts, authorities=None):
    """An AGORA-style folder: documents.csv (BOM, awkward header) + fulltext/<id>.txt."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "fulltext").mkdir()
    with open(root / "documents.csv", "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(AGORA_HEADER)
        for r in rows:
            w.writerow([r.get(h, "") for h in AGORA_HEADER])
    for aid, text in texts.items():
        (root / "fulltext" / f"{aid}.txt").write_text(text, encoding="utf-8")
    if authorities:
        with open(root / "authorities.csv", "w", encoding="utf-8-sig", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["Name", "Jurisdiction", "Parent authority"])
            w.writerows(authorities)
    return root
