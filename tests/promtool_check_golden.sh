#!/usr/bin/env bash
# Runs `promtool check metrics` on every golden exposition; fails on any finding.
set -euo pipefail
promtool=$1 dir=$2
count=0
for file in "$dir"/*.prom; do
  [ -e "$file" ] || { echo "no golden files in $dir" >&2; exit 1; }
  if ! out=$("$promtool" check metrics < "$file" 2>&1); then
    echo "$file: $out" >&2
    exit 1
  fi
  count=$((count + 1))
done
echo "promtool check metrics: $count golden files clean"
