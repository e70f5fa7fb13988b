"""Dedup: every kind of repetition a corpus holds, over bounded-memory indexes.

``exact`` (documents with the same normalised text), ``near`` (MinHash + LSH, from
``minhash``), ``lines`` (a line recurring across a site's pages), ``sentences`` (each
sentence kept once); ``index`` holds the sorted-run stores they share, spilled to
``OUT/.corpus-state`` beyond each step's ``memory_mb``.
"""
