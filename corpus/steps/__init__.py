"""Built-in steps; importing this package registers them under their names."""

from corpus.steps import (  # noqa: F401
    boilerplate,
    dedup,
    filters,
    langid,
    neardup,
    normalize,
    segment,
)

try:  # translation pulls in ctranslate2/argostranslate; missing only in broken installs
    from corpus.steps import translate  # noqa: F401
except ImportError as exc:  # pragma: no cover
    _TRANSLATE_IMPORT_ERROR: ImportError | None = exc
else:
    _TRANSLATE_IMPORT_ERROR = None
