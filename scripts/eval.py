"""`make eval`: relevance precision and recall on a labelled set; see bot/evaluate.py."""

import sys

from bot.evaluate import main

sys.exit(main())
