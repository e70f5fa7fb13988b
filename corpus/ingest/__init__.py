"""Ingest: input specs → ``Document`` records, robustly.

    refs = expand_inputs(["data/", "*.jsonl.gz", "-"])      # ConfigError if a spec matches nothing
    for ref in refs:
        for doc in read_input(ref, InputConfig()):          # never raises for bad input
            ...

Statuses a document can leave ingest with:

* ``kept`` – text decoded and segmented (notes say what was repaired);
* ``dropped:empty``, ``dropped:whitespace_only``, ``dropped:binary``,
  ``dropped:undecodable``, ``dropped:too_large``, ``dropped:no_text`` (HTML without
  visible text), ``dropped:no_text_field`` (JSONL), ``dropped:symlink_loop``,
  ``dropped:symlink_not_followed``, ``dropped:not_a_regular_file``;
* ``error:<message>`` – unreadable, vanished, broken symlink, truncated or corrupt gzip
  with nothing to keep, ``invalid JSON at line N: …``.

Modules, in the order bytes flow: ``sources`` (specs → refs), ``streams`` (open, hash,
gunzip, limits), ``decode`` (bytes → str), ``text`` / ``html`` / ``jsonl`` (str →
segments), ``documents`` (ids, records), ``reader`` (``read_input``).
"""

from corpus.ingest.config import InputConfig
from corpus.ingest.documents import doc_id
from corpus.ingest.reader import read_input
from corpus.ingest.sources import STDIN_PATH, InputRef, display_path, expand_inputs

__all__ = [
    "STDIN_PATH",
    "InputConfig",
    "InputRef",
    "display_path",
    "doc_id",
    "expand_inputs",
    "read_input",
]
