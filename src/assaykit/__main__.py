"""Allow ``python -m assaykit``."""

from assaykit.cli import main

main()
