"""Making a build output ready to train on: near-dedup, filters, SentencePiece, splits, export.

Library code only; the pipeline steps live in :mod:`corpus.steps.neardup` and
:mod:`corpus.steps.filters`, the commands in :mod:`corpus.cli.spm` and
:mod:`corpus.cli.export`.
"""
