"""Offline translation: Argos Translate packages run through CTranslate2, with a cache.

``models``  installed packages (list / install / remove) and where they live;
``routes``  which package(s) translate one language into another (direct or via English);
``cache``   a SQLite cache of finished translations shared by every run and process;
``batching`` how sentences are cut into batches and how many threads decode them;
``engine``  queues those batches on ``ctranslate2.Translator.translate_batch``;
``checks``  what a finished translation must pass before it may enter ``parallel/``;
``ray``     the same engine with its decoding in Ray actors (``--executor ray``);
``step``    the pipeline step.

Nothing here touches the network except ``models.ModelStore.install_by_name``.
"""

from corpus.stages.translate.models import InstalledModel, ModelStore, resolve_models_dir

__all__ = ["InstalledModel", "ModelStore", "resolve_models_dir"]
