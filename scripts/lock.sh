#!/usr/bin/env bash
# Updates requirements.lock, the exact versions (with their sha256 hashes) that set-up and CI
# install. Run it after changing the dependencies in pyproject.toml:
#   bash scripts/lock.sh                          # keep every pin that still fits, add what is new
#   bash scripts/lock.sh --upgrade                # move everything to the newest allowed release
#   bash scripts/lock.sh --upgrade-package httpx  # move one package
# then run `bash scripts/test.sh` and commit pyproject.toml and requirements.lock together.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/uv ]; then
  [ -x .venv/bin/python ] || "$PY" -m venv .venv
  .venv/bin/pip install -q uv
fi
deps=$(.venv/bin/python scripts/deps_hash.py)
.venv/bin/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 \
  --python-platform linux --no-header --quiet "$@" -o requirements.lock
{
  echo "# fabnet's locked dependencies: written by scripts/lock.sh (edit pyproject.toml, then run it)."
  echo "# pyproject-dependencies-sha256: $deps"
  grep -v '^# pyproject-dependencies-sha256\|^# fabnet.s locked' requirements.lock
} > requirements.lock.new
mv requirements.lock.new requirements.lock
echo "lock: requirements.lock updated ($(grep -c '==' requirements.lock) packages)"
