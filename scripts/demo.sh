#!/usr/bin/env bash
# Sets up fabnet (see setup.sh), builds the demo on the embedded default (SQLite in the per-user
# data folder, ~/.local/share/fabnet), then serves the web interface and the API: open
# http://127.0.0.1:8000/ and sign in with one of the printed demo sign-ins. Ctrl+C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/fabnet demo "$@"
echo "demo: serving the web interface at http://127.0.0.1:8000/ (Ctrl+C stops it)"
exec .venv/bin/fabnet serve --host 127.0.0.1 --port 8000
