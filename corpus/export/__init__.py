"""Downstream of OUT: training-ready exports, deterministic splits, SentencePiece models.

Reads a finished build's files only (``outdir``); nothing here runs during a build.
The commands are :mod:`corpus.cli.export` and :mod:`corpus.cli.spm`.
"""
