"""Instructor documents (txt, md, pdf) read and cut into citable chunks."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from skills.errors import TutorError
from skills.text import normalise

SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".pdf")
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
# A few bytes of PDF can inflate to gigabytes of text (a compression bomb): stop reading there.
MAX_DOCUMENT_CHARS = 5_000_000
CHUNK_WORDS = 120  # long enough to carry one idea, short enough to cite precisely


class DocumentError(TutorError):
    """A document that cannot be ingested; the message says why."""


@dataclass(frozen=True)
class DocumentChunk:
    position: int  # 1-based chunk number within the document
    line_start: int
    line_end: int
    text: str


@dataclass(frozen=True)
class Document:
    path: Path
    sha256: str
    chunks: tuple[DocumentChunk, ...]

    @property
    def name(self) -> str:
        return self.path.name


def read_text(path: Path) -> str:
    if not path.is_file():
        raise DocumentError(f"{path}: no such file")
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise DocumentError(
            f"{path.name}: unsupported file type; use {', '.join(SUPPORTED_SUFFIXES)}"
        )
    if path.stat().st_size > MAX_DOCUMENT_BYTES:
        raise DocumentError(f"{path.name}: larger than {MAX_DOCUMENT_BYTES // 2**20} MiB")
    if path.suffix.lower() == ".pdf":
        return _read_pdf(path)
    raw = path.read_bytes()
    if b"\x00" in raw[:4096]:
        raise DocumentError(f"{path.name}: looks like a binary file, not text")
    return raw.decode("utf-8", errors="replace")


def _read_pdf(path: Path) -> str:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, PyPdfError

    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            # An owner password alone (no user password) still lets anyone read the text.
            try:
                readable = bool(reader.decrypt(""))
            except (DependencyError, NotImplementedError, PyPdfError):
                readable = False
            if not readable:
                raise DocumentError(
                    f"{path.name}: this PDF is password-protected; save an unprotected copy "
                    "and ingest that."
                )
        pages, total = [], 0
        for page in reader.pages:
            text = page.extract_text() or ""
            total += len(text)
            if total > MAX_DOCUMENT_CHARS:
                raise DocumentError(
                    f"{path.name}: holds more than {MAX_DOCUMENT_CHARS:,} characters of text; "
                    "split it into smaller documents."
                )
            pages.append(text)
        return "\n\n".join(pages)
    except DependencyError as exc:  # e.g. AES encryption without the `cryptography` package
        raise DocumentError(
            f"{path.name}: this PDF is encrypted; save an unprotected copy and ingest that."
        ) from exc
    except (PyPdfError, ValueError, OSError, MemoryError, RecursionError) as exc:
        raise DocumentError(f"{path.name}: cannot read this PDF ({type(exc).__name__})") from exc


def _paragraphs(text: str) -> list[tuple[int, int, str]]:
    """(first line, last line, text) of each blank-line-separated paragraph.

    Lines are numbered as in the original file (1-based), so citations point at the source."""
    paragraphs: list[tuple[int, int, str]] = []
    start, lines = 0, list[str]()
    raw_lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for number, line in enumerate((normalise(raw) for raw in raw_lines), start=1):
        if line:
            if not lines:
                start = number
            lines.append(line)
        elif lines:
            paragraphs.append((start, number - 1, " ".join(lines)))
            lines = []
    if lines:
        paragraphs.append((start, start + len(lines) - 1, " ".join(lines)))
    return paragraphs


def chunk_text(text: str, chunk_words: int = CHUNK_WORDS) -> list[DocumentChunk]:
    """Group paragraphs into chunks of about `chunk_words` words, never splitting a paragraph
    unless it alone is longer than twice the target."""
    chunks: list[DocumentChunk] = []
    pending: list[tuple[int, int, str]] = []

    def flush() -> None:
        if pending:
            body = "\n".join(p[2] for p in pending)
            chunks.append(DocumentChunk(len(chunks) + 1, pending[0][0], pending[-1][1], body))
            pending.clear()

    for first, last, para in _paragraphs(text):
        words = para.split()
        if len(words) > 2 * chunk_words:
            flush()
            for i in range(0, len(words), chunk_words):
                pending.append((first, last, " ".join(words[i : i + chunk_words])))
                flush()
            continue
        if sum(len(p[2].split()) for p in pending) + len(words) > chunk_words:
            flush()
        pending.append((first, last, para))
    flush()
    return chunks


def load_document(path: Path) -> Document:
    text = read_text(path)
    chunks = chunk_text(text)
    if not chunks:
        raise DocumentError(f"{path.name}: contains no text")
    digest = hashlib.sha256(normalise(text, keep_newlines=True).encode()).hexdigest()
    return Document(path=path, sha256=digest, chunks=tuple(chunks))
