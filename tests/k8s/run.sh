#!/usr/bin/env bash
# tests/k8s/run.sh - offline checks of deploy/kubernetes: the PrometheusRule is what
# scripts/gen-prometheus-rule makes of alerts/, and every manifest passes validate.mjs (the
# Kubernetes and prometheus-operator schemas, plus cross-references within each example).
#
# The validator's npm packages (pinned by package-lock.json) are installed with `npm ci` into
# WARREN_NPM_CACHE (default /tmp/warren-npm), outside the source tree, and only again when the
# lock file changes. Needs node and npm (Debian packages nodejs, npm) and python3.
set -euo pipefail
HERE=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
CACHE=${WARREN_NPM_CACHE:-/tmp/warren-npm}

for tool in node npm python3; do
  command -v "$tool" > /dev/null || { echo "run.sh: $tool is missing (scripts/deps installs it)" >&2; exit 1; }
done

mkdir -p "$CACHE"
exec 9> "$CACHE/.lock" # one npm ci at a time when several checkouts or build trees share the cache
flock 9
# installed.lock: the lock file of the last npm ci that finished, so a failed one is redone.
if ! cmp -s "$HERE/package-lock.json" "$CACHE/installed.lock"; then
  rm -f "$CACHE/installed.lock"
  cp "$HERE/package.json" "$HERE/package-lock.json" "$CACHE/"
  echo "=== npm ci in $CACHE" >&2
  (cd "$CACHE" && npm ci --no-audit --no-fund --loglevel=error --cache "$CACHE/.npm-cache")
  cp "$HERE/package-lock.json" "$CACHE/installed.lock"
fi
cp "$HERE/validate.mjs" "$CACHE/"

"$ROOT/scripts/gen-prometheus-rule" --check
node "$CACHE/validate.mjs" "$ROOT" "$@"
