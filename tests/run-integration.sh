#!/bin/bash
# Run the bats suites against $HUSK and end with "N passed, N failed".
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
: "${HUSK:=$here/../husk}"
export HUSK
if [ "$(id -u)" != 0 ]; then
  echo "the integration tests run real containers and need root: skipped"
  echo "0 passed, 0 failed, 1 skipped"
  exit 0
fi
dirs=("$here/integration" "$here/clients")
[ -n "${HUSK_TEST_DIRS:-}" ] && read -ra dirs <<<"$HUSK_TEST_DIRS"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
bats --tap "${dirs[@]}" 2>&1 | tee "$out"
status=${PIPESTATUS[0]}
passed=$(grep -c '^ok ' "$out" | tr -d ' ')
skipped=$(grep -c '^ok .* # skip' "$out" | tr -d ' ')
failed=$(grep -c '^not ok ' "$out" | tr -d ' ')
echo "$((passed - skipped)) passed, $failed failed, $skipped skipped"
[ "$status" = 0 ] && [ "$failed" = 0 ]
