#!/usr/bin/env bash
# Create .venv and install the project with the CPU build of torch. Idempotent and offline-model safe.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
. .venv/bin/activate
# medSpaCy's ConText (negation and uncertainty in records). On Python < 3.12 medspacy pins spacy<3.8 (numpy<2,
# which breaks pandas 3); it runs on spacy 3.8, so install it, then put spacy 3.8 and numpy 2 back, and drop the
# stray top-level `tests` package medspacy_quickumls leaves in site-packages (it would shadow ours). Without
# medSpaCy the record checks fall back to the documented cue-and-window rules.
install_negation() {
  if python -m pip install -q "medspacy>=1.3" && python -m pip install -q "spacy>=3.8,<3.9" "numpy>=2"; then
    rm -rf .venv/lib/python*/site-packages/tests
  else
    echo "medSpaCy could not be installed; negation uses the documented rules (docs/vocabulary.md)" >&2
    python -m pip install -q "numpy>=2"
  fi
}
stamp=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  python -m pip install -q --upgrade pip
  # torch first, pinned to the CPU wheel, so no dependency resolves to a multi-GB CUDA build.
  python -m pip install -q "torch==2.13.0" || python -m pip install -q torch --index-url https://download.pytorch.org/whl/cpu
  python -m pip install -q -e ".[llm,test]"
  install_negation
  touch "$stamp"
fi
