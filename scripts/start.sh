#!/usr/bin/env bash
# One command for a new user: install, fetch the corpus (SHA-256 checked), build the index, start the UI.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
. .venv/bin/activate
export HF_HUB_OFFLINE=1
if [ -z "${ASSISTANT_CORPUS_MIRROR:-}" ] && [ -d ../shared/corpus ]; then
  export ASSISTANT_CORPUS_MIRROR="$(cd ../shared/corpus && pwd)"
fi
assistant corpus fetch
assistant index
exec assistant ui "$@"
