"""Language codes as the tool takes them, and which of them it knows.

A code is ISO 639-1 (``en``) or 639-3 (``ast``), lower case: one format check for every
place a user names a language, so a typo such as ``English`` or ``EN`` is an error
before any work starts. A well-formed code is not enough, though: ``--languages en,qq``
turned every ru/uk/bg/de sentence into ``und`` and ``--target xx`` ran a whole build
towards a language no model has. So each place also checks the code against what the
tool knows:

* **detection** (``--languages``, ``languages`` in pipelines and the langid step,
  ``corpus detect --languages``): the languages language ID can answer,
  :func:`corpus.stages.langid.supported_languages`; ``und`` where "no language" is a
  meaningful value (``corpus segment --lang``, ``corpus detect --hint``, the filters'
  ``keep_languages``), never as a language to detect.
* **translation** (``--target``, ``target``, the translate step's ``target``/``pivot``):
  those, plus the codes Argos Translate's package index uses (:data:`ARGOS_LANGUAGES`;
  ``zt``, ``pb``, ``eo`` … are Argos' own spellings).
"""

from __future__ import annotations

from functools import lru_cache

UND = "und"

# Every language of Argos Translate's package index (argospm, 2024-2025), in Argos'
# spelling: ``zt`` is Traditional Chinese, ``pb`` Brazilian Portuguese.
ARGOS_LANGUAGES = frozenset({
    "ar", "az", "bg", "bn", "ca", "cs", "da", "de", "el", "en", "eo", "es", "et", "eu",
    "fa", "fi", "fr", "ga", "gl", "he", "hi", "hu", "id", "it", "ja", "ko", "ky", "lt",
    "lv", "ms", "nb", "nl", "pb", "pl", "pt", "ro", "ru", "sk", "sl", "sq", "sr", "sv",
    "th", "tl", "tr", "uk", "ur", "vi", "zh", "zt",
})


def is_language_code(code: object) -> bool:
    return (isinstance(code, str) and code.isascii() and code.isalpha()
            and 2 <= len(code) <= 3 and code.islower())


def check_language_code(code: object, key: str) -> str:
    """*code* itself if it is a language code, else ``ValueError`` naming *key*."""
    if not is_language_code(code):
        raise ValueError(f"{key}: {code!r} is not an ISO 639 language code (e.g. 'en')")
    return code  # type: ignore[return-value]


@lru_cache(maxsize=1)
def detectable_languages() -> frozenset[str]:
    """What language ID can answer (besides ``und``)."""
    from corpus.stages.langid import supported_languages

    return frozenset(supported_languages())


def translatable_languages() -> frozenset[str]:
    """What a translation may go into (or pivot through)."""
    return detectable_languages() | ARGOS_LANGUAGES


def check_detectable(code: object, key: str, *, und: bool = False) -> str:
    """*code* if language ID knows it (or it is ``und`` and *und* allows it), else
    ``ValueError`` naming *key* and the codes it knows."""
    check_language_code(code, key)
    if (und and code == UND) or code in detectable_languages():
        return code  # type: ignore[return-value]
    extra = f" or {UND}" if und else ""
    raise ValueError(f"{key}: {code!r} is not a language corpus detects; use one of "
                     f"{' '.join(sorted(detectable_languages()))}{extra}")


def check_translatable(code: object, key: str) -> str:
    """*code* if translations can go into it, else ``ValueError`` naming *key*."""
    check_language_code(code, key)
    if code in translatable_languages():
        return code  # type: ignore[return-value]
    raise ValueError(f"{key}: {code!r} is not a language corpus translates into; use one of "
                     f"{' '.join(sorted(translatable_languages()))}")
