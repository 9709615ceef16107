"""`make eval`: relevance and developments on a labelled set; see evaluation/evaluate.py."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # evaluation/ is not installed

from evaluation.evaluate import main

if __name__ == "__main__":  # parser worker processes import this module: run only once
    sys.exit(main())
