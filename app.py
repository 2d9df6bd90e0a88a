"""Serve Tillit (chat, HTTP API, /docs, /embed, /widget.js, /widget-demo) on one port.

    python app.py            # TILLIT_HOST, TILLIT_PORT, TILLIT_DATA_DIR … configure it
"""

from __future__ import annotations

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from assistant.settings import Settings  # noqa: E402


def main() -> None:
    """Serve with settings from the environment."""
    from tillit_web.server import serve

    serve(Settings())


if __name__ == "__main__":
    main()
