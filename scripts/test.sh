#!/usr/bin/env bash
# The full test suite, on a fresh clone or a working tree. Installs what the tests need first.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
# Browser tests drive Debian's chromium (never a downloaded browser).
if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
    || echo "chromium could not be installed; browser tests will be skipped" >&2
fi
python -m pytest "$@"
