"""`python -m revops` runs the CLI."""

from revops.cli.app import main

main()
