#!/usr/bin/env bash
# README's test command (`npm test`): installs what the tests need, then runs
# every check and test — static checks, vitest unit + integration against the
# real PostgreSQL and RabbitMQ, and Playwright e2e in Debian Chromium against
# the built app — and prints one closing line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p .nemo
started=$(date +%s)

step() { printf '\n=== %s (%ss)\n' "$1" "$(( $(date +%s) - started ))"; }

step "services"
bash .ci/services.sh || exit 1

step "chromium"
if ! command -v chromium >/dev/null 2>&1; then
  (apt-get update -qq && apt-get install -y -qq chromium) || { echo "could not install chromium" >&2; exit 1; }
fi

step "npm ci"
npm ci --no-audit --no-fund || exit 1
# The quick start's "installed from this lockfile" mark: its e2e test must not reinstall under the suite.
sha256sum package-lock.json | cut -d' ' -f1 > node_modules/.nemo-lock-hash
npm run --silent prisma:generate || exit 1

failed_stage=0
step "typecheck"
npx tsc --noEmit -p . || failed_stage=1
step "lint"
npx eslint . || failed_stage=1
step "format"
npx prettier --check . >/dev/null || { npx prettier --list-different .; failed_stage=1; }

step "vitest (unit + integration)"
npx vitest run --reporter=default --reporter=json --outputFile.json=.nemo/vitest.json || failed_stage=1

step "reliability suite"
npm run --silent test:reliability -- --reporter=default --reporter=json --outputFile.json=.nemo/reliability.json || failed_stage=1

step "next build"
if npx next build > .nemo/next-build.log 2>&1; then
  tail -n 5 .nemo/next-build.log
  step "playwright (e2e in Chromium)"
  PLAYWRIGHT_JSON_OUTPUT_NAME=.nemo/playwright.json npx playwright test --reporter=list,json || failed_stage=1
else
  cat .nemo/next-build.log
  echo "next build failed: e2e not run" >&2
  failed_stage=1
fi

step "summary"
node .ci/summarize.mjs "$failed_stage" .nemo/vitest.json .nemo/reliability.json .nemo/playwright.json
