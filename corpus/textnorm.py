"""The one text normalisation: NFC, invisible and control characters removed, spaces collapsed.

Scraped text carries zero-width joiners, soft hyphens, BOMs in the middle of lines,
non-breaking and ideographic spaces, and C0/C1 controls. They break de-duplication (two
copies differ invisibly), tokenisers, and any comparison of texts from two sources (the
HTML reader matches its blocks against trafilatura's output after this same
normalisation on both sides). The ``normalize`` step applies it to every segment; the
segment's ``span`` still points into the original document, so provenance is kept.
"""

from __future__ import annotations

import re
import unicodedata

# Removed outright: soft hyphen, zero-width space/joiners, word joiner, BOM, bidi marks
# and embeddings (they carry no text; the HTML report sets direction itself), and the
# C0/C1 controls except tab/newline (handled as whitespace below).
_INVISIBLE = re.compile(
    "[\u00ad\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u202a-\u202e\u2066-\u2069"
    "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]"
)
# Every Unicode space (NBSP, thin, ideographic, line/paragraph separators …) → " ".
_SPACES = re.compile(r"[\s\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")


def normalize_text(text: str) -> str:
    """NFC, invisible characters removed, every run of whitespace one space, stripped."""
    if text.isascii():
        text = _INVISIBLE.sub("", text)
        return _SPACES.sub(" ", text).strip()
    text = _INVISIBLE.sub("", text)
    text = unicodedata.normalize("NFC", text)
    return _SPACES.sub(" ", text).strip()
