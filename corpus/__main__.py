"""``python -m corpus`` — same as the ``corpus`` command."""

from corpus.cli import main

main()
