"""corpus: multilingual ingestion and translation-aware corpus building.

The library's functions live in :mod:`corpus.api` and are imported on first use, so
``import corpus`` stays cheap for the command line:

- ``build(inputs, out, pipeline=None, **options)``: ``corpus build`` from Python;
- ``process(texts_or_records, pipeline=None)``: the same steps over texts, dicts or
  documents in memory, one :class:`~corpus.records.Document` out per item;
- ``detect``, ``split_sentences``, ``translate``: one stage's engine at a time;
- ``clean_html``, ``keep_lines``, ``page_segments``: the cleaning of one page;
- ``audit``, ``audit_csv``: the language audit of a build or of raw inputs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "__version__", "audit", "audit_csv", "build", "clean_html", "detect", "keep_lines",
    "page_segments", "process", "split_sentences", "translate",
]

if TYPE_CHECKING:  # what type checkers and IDEs see; at run time __getattr__ imports it
    from corpus.api import (
        audit,
        audit_csv,
        build,
        clean_html,
        detect,
        keep_lines,
        page_segments,
        process,
        split_sentences,
        translate,
    )


def __getattr__(name: str) -> Any:
    if name in __all__ and name != "__version__":
        from corpus import api

        return getattr(api, name)
    raise AttributeError(f"module 'corpus' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
