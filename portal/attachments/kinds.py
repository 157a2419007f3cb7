"""What a file is, decided from its bytes alone (never its name or the type a client claims):
images (PNG, JPEG, WebP, GIF) and documents (PDF, plain text, CSV, XLSX, DOCX, PPTX). Anything
else is refused."""

from __future__ import annotations

import csv
import io
import re
import zipfile

from portal.errors import UnsupportedMediaType

IMAGES = {"image/png", "image/jpeg", "image/webp", "image/gif"}
OFFICE = {
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
ACCEPTED = "PNG, JPEG, WebP, GIF, PDF, plain text, CSV, XLSX, DOCX or PPTX"
TEXT_SAMPLE = 64 * 1024
# Text that is markup a browser would render or run, whatever it is called.
MARKUP = re.compile(r"^\ufeff?\s*<(!doctype|html|svg|\?xml|script|head|body|iframe|!--)", re.IGNORECASE)


def detect(content: bytes | bytearray) -> str:
    """The content type the bytes are; UnsupportedMediaType (415) for anything else."""
    head = content[:16]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"PK\x03\x04"):
        return _office(content)
    if _is_text(content):
        if MARKUP.match(content[:TEXT_SAMPLE].decode("utf-8", "ignore")):
            raise UnsupportedMediaType("HTML, SVG and XML are not taken: a browser would run what is in them")
        return "text/csv" if _is_csv(content) else "text/plain"
    raise UnsupportedMediaType(f"this kind of file is not taken; attach {ACCEPTED}")


def _office(content: bytes | bytearray) -> str:
    """An Office Open XML document: a zip whose [Content_Types].xml and part folders say which."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, ValueError):
        raise UnsupportedMediaType("the file looks like a zip archive but cannot be read") from None
    if "[Content_Types].xml" in names:
        for prefix, kind in OFFICE.items():
            if any(name.startswith(prefix) for name in names):
                return kind
    raise UnsupportedMediaType(f"zip archives are not taken; attach {ACCEPTED}")


def _is_text(content: bytes | bytearray) -> bool:
    sample = content[:TEXT_SAMPLE]
    if b"\x00" in sample:
        return False
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the sample's end is still text.
        return exc.start >= len(sample) - 3 and len(content) > TEXT_SAMPLE
    return True


def _is_csv(content: bytes | bytearray) -> bool:
    """Several lines with the same number (> 1) of one delimiter: a table, not prose."""
    lines = content[:TEXT_SAMPLE].decode("utf-8", "ignore").splitlines()[:20]
    if len(lines) < 2:
        return False
    try:
        dialect = csv.Sniffer().sniff("\n".join(lines), delimiters=",;\t")
    except csv.Error:
        return False
    widths = {len(row) for row in csv.reader(lines, dialect) if row}
    return len(widths) == 1 and widths.pop() > 1
