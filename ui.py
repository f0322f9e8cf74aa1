"""The reviewer's web app: `python ui.py [--host 127.0.0.1] [--port 7860] [--auth users.toml] [--reviewer NAME]`,
the same as `assistant ui`. The app itself lives in `assistant.ui`."""

from __future__ import annotations

from assistant.ui.app import main

if __name__ == "__main__":
    raise SystemExit(main())
