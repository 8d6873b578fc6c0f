#!/usr/bin/env bash
# Sets up fabnet (see setup.sh) and runs the demo on the embedded default (SQLite in the per-user data folder, ~/.local/share/fabnet).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/fabnet demo "$@"
