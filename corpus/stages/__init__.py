"""The stages of a build, one package (or module) each, in the order documents meet them.

Each holds its engine and the steps that put the engine in a pipeline, side by side:

* ``normalize``    NFC, whitespace, invisible characters
* ``boilerplate/`` page furniture told from body text (``classify`` + ``cues``)
* ``langid/``      language identification (``detector``, ``model``, ``script``, data)
* ``sentences/``   sentence splitting with per-language rules
* ``dedup/``       exact, near-duplicate, repeated-line and sentence dedup over
                   bounded-memory indexes (``index``)
* ``filters/``     training-data quality filters
* ``translate/``   offline translation: Argos packages through CTranslate2, cached

Steps are found by name through :data:`corpus.registry.BUILTIN`, which imports a stage
only when a pipeline names it.
"""
