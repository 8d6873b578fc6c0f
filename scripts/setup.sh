#!/usr/bin/env bash
# Installs everything fabnet needs on a fresh Debian 12 machine (run as root for the system packages):
# system tools (PrusaSlicer, OpenSCAD, pango for PDFs), a virtualenv with
# fabnet and its development tools (and, once package.json exists, the front-end packages).
# Safe to run again: each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
APT_PACKAGES=(prusa-slicer openscad poppler-utils libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core chromium)

need_apt=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need_apt+=("$pkg")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing system packages: ${need_apt[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  else
    echo "setup: missing system packages (install them as root): ${need_apt[*]}" >&2
  fi
fi

# Python packages: exactly the versions (and sha256 hashes) of requirements.lock; a lock that no
# longer matches pyproject.toml's dependencies is refused (bash scripts/lock.sh updates it).
lock_deps=$(sed -n 's/^# pyproject-dependencies-sha256: //p' requirements.lock)
project_deps=$("$PY" scripts/deps_hash.py pyproject.toml)
if [ "$lock_deps" != "$project_deps" ]; then
  echo "setup: requirements.lock does not match the dependencies in pyproject.toml;" \
       "run 'bash scripts/lock.sh' and commit both files" >&2
  exit 2
fi
stamp=.venv/.fabnet-installed
want=$(cat pyproject.toml requirements.lock | sha256sum | cut -d' ' -f1)
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: installing fabnet and its locked Python dependencies into .venv"
  .venv/bin/pip install -q --require-hashes --no-deps -r requirements.lock
  .venv/bin/pip install -q --no-deps -e .
  echo "$want" > "$stamp"
fi

# Byte-compile fabnet's own modules: an editable install leaves them as source, and where
# PYTHONDONTWRITEBYTECODE is set (containers, CI images) every process would compile all ~270 of
# them again at start-up (0.4-0.8 s of each `fabnet` command and API worker). Only changed files
# are rewritten.
.venv/bin/python -m compileall -q -j 0 src/fabnet >/dev/null

if [ -f package.json ] && command -v npm >/dev/null; then
  lock_hash=$(sha256sum package-lock.json 2>/dev/null | cut -d' ' -f1 || true)
  if [ ! -d node_modules ] || [ "$(cat node_modules/.fabnet-lock 2>/dev/null)" != "$lock_hash" ]; then
    echo "setup: installing web front-end packages (npm ci)"
    npm ci --silent --no-audit --no-fund
    echo "$lock_hash" > node_modules/.fabnet-lock
  fi
fi
