"""Boilerplate: page furniture (navigation, prompts, credits, teasers) told from body text.

``classify`` scores every line of a page and decides with a Viterbi pass over the page;
``cues`` holds the furniture phrases and language names it starts from; ``step`` is the
pipeline step. Repetition across pages is ``corpus.stages.dedup.lines``.
"""

from corpus.stages.boilerplate.classify import classify_lines

__all__ = ["classify_lines"]
