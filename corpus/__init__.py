"""corpus: multilingual ingestion and translation-aware corpus building."""

__version__ = "0.1.0"
