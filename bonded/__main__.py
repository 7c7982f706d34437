"""Run the ``bonded`` command line as ``python -m bonded``."""

from bonded.cli import main

main()
