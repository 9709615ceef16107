"""`python -m bot` is the same as the `followup-bot` console script."""

from bot.cli import main

# Guarded: parser worker processes import the main module again.
if __name__ == "__main__":
    raise SystemExit(main())
