#!/usr/bin/env bash
# One command for a new user: install, fetch the corpus (SHA-256 checked), build the index, start the UI.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
assistant corpus fetch
assistant index
exec assistant ui "$@"
