"""Shared by every test folder: the helper modules at the top of ``tests/`` import by name.

pytest puts this file's folder on ``sys.path`` (rootdir conftest, prepend import mode),
so ``import argos_fixture`` and ``from paths import SEEDS`` work from any subfolder.
"""
