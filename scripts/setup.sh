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

stamp=.venv/.fabnet-installed
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: installing fabnet and its Python dependencies into .venv"
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -e '.[dev]'
  echo "$want" > "$stamp"
fi

if [ -f package.json ] && command -v npm >/dev/null; then
  lock_hash=$(sha256sum package-lock.json 2>/dev/null | cut -d' ' -f1 || true)
  if [ ! -d node_modules ] || [ "$(cat node_modules/.fabnet-lock 2>/dev/null)" != "$lock_hash" ]; then
    echo "setup: installing web front-end packages (npm ci)"
    npm ci --silent --no-audit --no-fund
    echo "$lock_hash" > node_modules/.fabnet-lock
  fi
fi
