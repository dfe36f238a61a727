"""`python -m bot` is the same as the `conduct-bot` command."""

import sys

from bot.cli import main

if __name__ == "__main__":  # importing the module (a check that every module imports) runs nothing
    sys.exit(main())
