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

import re

import regex

NOSPACE_SCRIPTS = r"\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}"
_PART = rf"[[\p{{L}}\p{{M}}\p{{N}}]--[{NOSPACE_SCRIPTS}]]"
_NUMBER = r"\p{N}+(?:[.,]\p{N}+)*"  # 3.14, 1,000: one word
_WORD = regex.compile(
    rf"[{NOSPACE_SCRIPTS}]|{_NUMBER}(?!{_PART})|{_PART}+(?:['’\-]{_PART}+)*", regex.VERSION1
)


# The same pattern over ASCII, where \p{L} is [A-Za-z], \p{N} [0-9] and there are no marks
# and no scripts without spaces: the standard library's engine runs it four times as fast,
# and most lines of a crawl are ASCII (the audit counts the words of every segment in the
# main process). ``tests/test_words.py`` holds the two to the same words.
_ASCII_PART = "[A-Za-z0-9]"
_ASCII_WORD = re.compile(
    rf"[0-9]+(?:[.,][0-9]+)*(?!{_ASCII_PART})|{_ASCII_PART}+(?:['\-]{_ASCII_PART}+)*"
)


def words(text: str) -> list[str]:
    """The words of *text*, in order (see the module docstring)."""
    return (_ASCII_WORD if text.isascii() else _WORD).findall(text)


def count_words(text: str) -> int:
    return len((_ASCII_WORD if text.isascii() else _WORD).findall(text))


def has_word(text: str) -> bool:
    return (_ASCII_WORD if text.isascii() else _WORD).search(text) is not None
