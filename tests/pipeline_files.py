"""Pipeline files the end-to-end tests share.

``PER_DOCUMENT`` is the shipped pipelines/clean.toml without its corpus-wide cleaning
steps (repeated_lines, near_dedup): those are tested on their own, and near_dedup would
drop the tests' deliberately similar small documents as near-copies of each other.
"""

from __future__ import annotations

PER_DOCUMENT = """
[[steps]]
use = "normalize"
[[steps]]
use = "dedup"
[[steps]]
use = "boilerplate"
[[steps]]
use = "langid"
level = "segment"
[[steps]]
use = "segment"
[[steps]]
use = "langid"
level = "sentence"
"""
