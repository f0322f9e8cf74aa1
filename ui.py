"""The reviewer's web app: `python ui.py [--host 127.0.0.1] [--port 7860] [--auth users.toml] [--reviewer NAME]`,
the same as `assistant ui`. The app itself lives in `assistant.ui`."""

from __future__ import annotations

from assistant.files import restrict_new_files

if __name__ == "__main__":
    restrict_new_files()  # case files are PHI: everything this process creates is owner-only, from the start
    from assistant.ui.app import main

    raise SystemExit(main())
