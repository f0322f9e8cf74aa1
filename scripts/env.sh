# Sourced by start.sh and test.sh (from the project root): install if needed, activate the virtual
# environment, keep model loading offline, and use ../shared/corpus as the corpus mirror when it is there.
bash scripts/install.sh
. .venv/bin/activate
export HF_HUB_OFFLINE=1
if [ -z "${ASSISTANT_CORPUS_MIRROR:-}" ] && [ -d ../shared/corpus ]; then
  export ASSISTANT_CORPUS_MIRROR="$(cd ../shared/corpus && pwd)"
fi
