"""`python -m scraper` runs the command line."""

from scraper.cli import main

main()
