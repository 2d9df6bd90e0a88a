"""``python -m web serve`` / ``python -m web feedback export OUT``."""

import sys

from web.cli import main

sys.exit(main())
