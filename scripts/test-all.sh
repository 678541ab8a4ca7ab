#!/usr/bin/env bash
# Runs every test suite and ends with one line: "N passed, N failed" over all of them.
set -u
cd "$(dirname "$0")/.."
bash scripts/system-deps.sh || { echo "0 passed, 1 failed"; exit 1; }
bash scripts/setup-code-server.sh || { echo "0 passed, 1 failed"; exit 1; }
npm run --silent build || { echo "0 passed, 1 failed"; exit 1; }
mkdir -p test-artifacts

passed=0 failed=0 skipped=0
suite() {
  local name=$1; shift
  local log="test-artifacts/$name.tap"
  echo "=== $name"
  "$@" >"$log" 2>&1
  local rc=$?
  grep -E '^(ok|not ok) ' "$log" || true
  grep -E '^\s*not ok' -A25 "$log" | head -150 || true
  local p f s c
  p=$(grep -E '^# pass ' "$log" | tail -1 | awk '{print $3}')
  f=$(grep -E '^# fail ' "$log" | tail -1 | awk '{print $3}')
  s=$(grep -E '^# skipped ' "$log" | tail -1 | awk '{print $3}')
  c=$(grep -E '^# cancelled ' "$log" | tail -1 | awk '{print $3}')
  p=${p:-0} f=${f:-0} s=${s:-0} c=${c:-0}
  f=$((f + c))
  # A suite that died before reporting still counts as a failure.
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; tail -20 "$log"; fi
  passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
}

suite unit node --import tsx --test --test-reporter=tap test/unit/*.test.ts
suite integration node --import tsx --test --test-reporter=tap --test-concurrency=1 test/integration/*.test.ts
suite vscode-extension node --import tsx test/vscode/runExtensionTests.ts
suite vscode-ui node --import tsx --test --test-reporter=tap --test-concurrency=1 test/vscode/ui/*.ui.ts

if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $((failed + skipped)) failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ] && [ "$skipped" -eq 0 ]
