"""``python -m corpus.cli`` — same as the ``corpus`` command."""

from corpus.cli import main

main()
