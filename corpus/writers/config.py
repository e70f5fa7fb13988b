"""The ``[output]`` table of a pipeline file: what ``corpus build`` writes besides the
always-written corpus files (``documents.jsonl``, ``segments.jsonl``, ``sentences.jsonl``,
``manifest.json``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class OutputConfig:
    """Field names are the keys of the pipeline file's ``[output]`` table."""

    audit: bool = True  # audit.json and audit.html
    mono: bool = True  # mono/<lang>.txt
    parallel: bool = True  # parallel/<src>-<tgt>.*
    # pairs whose translation failed a check (translation.flags) in parallel/ too; off by
    # default: they stay in sentences.jsonl with their flags, the manifest counts them
    parallel_flagged: bool = False
