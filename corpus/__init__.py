"""corpus: multilingual ingestion and translation-aware corpus building.

The library's functions are imported on first use (``import corpus`` stays cheap for the
command line): see :mod:`corpus.api`.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

_API = ("audit", "audit_csv", "clean_html", "keep_lines", "page_segments")
__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    if name in _API:
        from corpus import api

        return getattr(api, name)
    raise AttributeError(f"module 'corpus' has no attribute {name!r}")
