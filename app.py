"""Serve Tillit (chat, HTTP API, /docs, /embed, /widget.js, /widget-demo) on one port.

    python app.py            # TILLIT_HOST, TILLIT_PORT, TILLIT_DATA_DIR … configure it
"""

from __future__ import annotations

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import sys  # noqa: E402


def main() -> int:
    """Serve with settings from the environment, as ``tillit serve``: a problem (an invalid
    setting, several workers without a Chroma server …) is one line and an exit code."""
    from tillit.cli import main as tillit

    return tillit(["serve"])


if __name__ == "__main__":
    sys.exit(main())
