"""`make eval`: relevance and developments on a labelled set; see bot/evaluate.py."""

import sys

from evaluation.evaluate import main

if __name__ == "__main__":  # parser worker processes import this module: run only once
    sys.exit(main())
