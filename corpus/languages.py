"""Language codes as the tool takes them: ISO 639-1 (``en``) or 639-3 (``ast``), lower case.

One check for every place a user names a language (pipeline files, ``--target``,
``--languages``, step parameters), so a typo such as ``English`` or ``EN`` is an error
before any work starts, never a corpus of ``und`` sentences.
"""

from __future__ import annotations


def is_language_code(code: object) -> bool:
    return (isinstance(code, str) and code.isascii() and code.isalpha()
            and 2 <= len(code) <= 3 and code.islower())


def check_language_code(code: object, key: str) -> str:
    """*code* itself if it is a language code, else ``ValueError`` naming *key*."""
    if not is_language_code(code):
        raise ValueError(f"{key}: {code!r} is not an ISO 639 language code (e.g. 'en')")
    return code  # type: ignore[return-value]
