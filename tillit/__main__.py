"""``python -m tillit …``: the same as the ``tillit`` console script."""

import sys

from tillit.cli import main

sys.exit(main())
