"""What a word is, once for the whole tool: filters, near-dup shingles and the audit agree.

A word is a run of letters, combining marks and digits, joined across a single inner
apostrophe or hyphen ("don't", "well-known", "l'homme" are one word each). Scripts written
without spaces between words (Han, kana, Thai, Lao, Khmer, Myanmar) have no word breaks a
regular expression can see, so each of their characters counts as one word: a Chinese
sentence then has a word count comparable to its English translation's, and a
``min_words`` filter does not drop every Chinese sentence as one long "word".

Combining marks belong inside words: Python's ``\\w`` does not match them, which cut
"नमस्ते" into three pieces; the ``regex`` module's ``\\p{M}`` keeps it whole.
"""

from __future__ import annotations

import regex

NOSPACE_SCRIPTS = r"\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}"
_PART = rf"[[\p{{L}}\p{{M}}\p{{N}}]--[{NOSPACE_SCRIPTS}]]"
_NUMBER = r"\p{N}+(?:[.,]\p{N}+)*"  # 3.14, 1,000: one word
_WORD = regex.compile(
    rf"[{NOSPACE_SCRIPTS}]|{_NUMBER}(?!{_PART})|{_PART}+(?:['’\-]{_PART}+)*", regex.VERSION1
)


def words(text: str) -> list[str]:
    """The words of *text*, in order (see the module docstring)."""
    return _WORD.findall(text)


def count_words(text: str) -> int:
    return len(_WORD.findall(text))


def has_word(text: str) -> bool:
    return _WORD.search(text) is not None
