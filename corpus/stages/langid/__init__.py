"""Language identification: the language of every segment, sentence and document.

``detector`` decides (scripts first, then n-gram profiles and word lists with priors);
``model`` scores n-grams and words; ``script`` knows Unicode scripts and alphabets;
``step`` is the pipeline step; ``build`` regenerates ``data/`` (a maintainer's tool).
"""

from corpus.stages.langid.detector import (
    LangGuess,
    detect,
    detect_many,
    detect_page,
    split_by_language,
    supported_languages,
)
from corpus.stages.langid.script import script_of

__all__ = [
    "LangGuess",
    "detect",
    "detect_many",
    "detect_page",
    "script_of",
    "split_by_language",
    "supported_languages",
]
