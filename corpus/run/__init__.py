"""How a pipeline runs: the runner, its checkpoints, and the executors.

``runner``  one ``corpus build``: shards, checkpoints, resume/append, manifest
``stream``  the pipeline as one lazy stream (also :func:`process`, nothing written)
``state``   ``OUT/.corpus-state``: checkpoints and the final state
``shards``  inputs grouped between checkpoints
``local``   in-process and process-pool executors; ``worker``: what a worker runs
``ray``     the same on a Ray cluster (optional extra)
``manifest`` the manifest's counters and sections; ``summary``: the printed summary
``fill``    ``corpus translate OUT``: the translate step over a finished build
``lock``    one run per OUT; ``signals``: SIGTERM as Ctrl-C, workers that die with the run
``checks``  what ``--resume``/``--append`` build on, checked before it is touched
"""
