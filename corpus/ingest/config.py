"""The ``[input]`` table of a pipeline file: how inputs are found, sized and parsed.

Every field has a default that suits scraped web data, so an empty ``[input]`` table (or
none at all) works. ``corpus.config`` checks the table's keys and types (one validator
for every table); the values are checked here, so a bad value is a ``ConfigError``
naming the key before any input is read, also when the class is built from Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from corpus.errors import ConfigError
from corpus.limits import check_at_most, physical_memory_mb

FORMATS = ("auto", "text", "html", "jsonl")
MAX_DETECT_BYTES = 64 << 20


@dataclass(slots=True)
class InputConfig:
    """How to read inputs. Field names are the keys of the pipeline file's ``[input]``."""

    format: Literal["auto", "text", "html", "jsonl"] = "auto"
    """``auto`` picks by extension (``.txt``, ``.html``, ``.jsonl``…), then by content."""
    text_field: str = "text"
    """JSONL: the field holding the text (a dotted path such as ``doc.body`` also works)."""
    id_field: str = "id"
    url_field: str = "url"
    title_field: str = "title"
    lang_field: str = "lang"
    """JSONL: the field naming the record's language, if any (a prior for detection)."""
    record_format: Literal["text", "html"] = "text"
    """JSONL: whether the text field holds plain text or an HTML page."""
    record_layout: Literal["auto", "record", "page"] = "auto"
    """JSONL text records: ``record`` – already clean (only furniture cues drop a line:
    a record that is only "Subscribe to our newsletter"); ``page`` – a page dumped as
    text (the page rules: body region, short lines, position); ``auto`` – a record of at
    most ``record_max_lines`` lines is a record, a longer one a page."""
    record_max_lines: int = 3
    encoding: str = "auto"
    """``auto`` detects; any Python codec name (``cp1251``) forces it for every input."""
    max_file_mb: int = 1024
    """Inputs larger than this on disk are recorded as ``dropped:too_large``."""
    max_decompressed_mb: int = 1024
    max_document_mb: int = 1
    """A document with more text than this (in millions of characters) is split at line
    boundaries into parts of at most this size, each a document of its own (its
    ``documents.jsonl`` row says ``part`` and ``parts``), so any document is processed
    in bounded memory. The file limits above decide what is read at all. One million
    rather than four: a part's segments and sentences are what a worker holds beyond
    its models, and what waits in the main process for its turn; on a 21.6 MB dump of
    realistic pages, at ``--workers 2``, peak memory fell from 1,115 to 954 MiB and the
    CPU did not grow (``bench/big_document.py``, 2026-12-04)."""
    """Gzip-bomb guard: decompression stops past this size (``dropped:too_large``)."""
    follow_symlinks: bool = True
    """Follow symbolic links inside input directories (loops are detected and skipped)."""
    detect_bytes: int = 65536
    """How many bytes charset detection looks at (only for input that is not UTF-8)."""
    join_wrapped_lines: bool = True
    """Plain text: join hard-wrapped lines of one paragraph into one segment."""
    html_main_content: bool = True
    """HTML: mark text outside trafilatura's main content as boilerplate."""

    def __post_init__(self) -> None:
        if self.format not in FORMATS:
            raise ConfigError(f"format = {self.format!r}: use one of {', '.join(FORMATS)}")
        if self.record_format not in ("text", "html"):
            raise ConfigError(f"record_format = {self.record_format!r}: use text or html")
        if self.record_layout not in ("auto", "record", "page"):
            raise ConfigError(
                f"record_layout = {self.record_layout!r}: use auto, record or page"
            )
        for name in ("max_file_mb", "max_decompressed_mb", "detect_bytes", "record_max_lines",
                     "max_document_mb"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ConfigError(f"{name} = {value!r}: expected a positive integer")
        try:
            for name in ("max_file_mb", "max_decompressed_mb"):  # an input is held in memory
                check_at_most(getattr(self, name), physical_memory_mb(), name,
                              "this machine's memory in MB")
            check_at_most(self.detect_bytes, MAX_DETECT_BYTES, "detect_bytes",
                          "bytes the charset detector reads")
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
        for name in ("text_field", "id_field", "url_field", "title_field", "lang_field"):
            if not isinstance(getattr(self, name), str) or not getattr(self, name):
                raise ConfigError(f"{name} must be a non-empty string")
        if self.encoding != "auto":
            from corpus.ingest.decode import codec_name

            if codec_name(self.encoding) is None:
                raise ConfigError(
                    f"encoding = {self.encoding!r} is not a known text encoding"
                )

    @property
    def max_document_chars(self) -> int:
        return self.max_document_mb * 1_000_000

    @property
    def max_file_bytes(self) -> int:
        return self.max_file_mb * 1024 * 1024

    @property
    def max_decompressed_bytes(self) -> int:
        return self.max_decompressed_mb * 1024 * 1024
