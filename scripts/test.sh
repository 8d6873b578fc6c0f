#!/usr/bin/env bash
# Sets up fabnet (see setup.sh) and runs every check: ruff, mypy --strict, import-linter, then the test
# suite on SQLite and PostgreSQL (and Redis, the slicer and Chromium where tests need them).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/services.sh

export FABNET_TEST_POSTGRES_URL=${FABNET_TEST_POSTGRES_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}
export FABNET_TEST_REDIS_URL=${FABNET_TEST_REDIS_URL:-redis://127.0.0.1:6379/15}
# services.sh has started PostgreSQL and Redis; a test whose server, tool or data is missing fails
# (tests/conftest.py), it is never skipped.

echo "== ruff";          .venv/bin/ruff check src tests bench scripts
echo "== mypy --strict"; .venv/bin/mypy
echo "== import-linter"; .venv/bin/lint-imports
echo "== pytest"
set +e
.venv/bin/pytest -n 2 -q "$@"
rc=$?
set -e
# pytest exit code 5 means "no tests collected": that is a failure for CI.
exit $rc
