#!/usr/bin/env bash
# README's start command (`npm run quickstart`): installs, prepares the database,
# builds, and starts the whole console with every worker on embedded defaults
# (simulated clusters, local OIDC issuer standing in for Keycloak, demo users).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .nemo

# A signal sent to this script's PID (a process manager, `kill`; `.npmrc` makes npm's shell
# exec this script, so npm passes it on) does not reach the step it is waiting for: each long
# step runs in the background and is stopped with the script. The supervisor at the end
# replaces this script (exec) and handles signals itself.
step_pid=""
on_signal() {
  if [ -n "$step_pid" ]; then kill -TERM "$step_pid" 2>/dev/null || true; fi
  exit 143
}
trap on_signal INT TERM
run() {
  "$@" &
  step_pid=$!
  wait "$step_pid"
  step_pid=""
}

bash .ci/services.sh

# Install only when the lockfile changed since the last install.
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f node_modules/.nemo-lock-hash ] || [ "$(cat node_modules/.nemo-lock-hash)" != "$lock_hash" ]; then
  run npm ci --no-audit --no-fund
  echo "$lock_hash" > node_modules/.nemo-lock-hash
fi
run npm run --silent prisma:generate

# The key that encrypts kubeconfigs and tokens at rest: generated once, kept in .nemo/.
if [ -z "${NEMO_SECRET_KEY:-}" ]; then
  if [ ! -f .nemo/secret-key ]; then
    node -e 'process.stdout.write(require("node:crypto").randomBytes(32).toString("hex"))' > .nemo/secret-key
    chmod 600 .nemo/secret-key
    echo "Generated the secret-encryption key in .nemo/secret-key (set NEMO_SECRET_KEY to use your own)."
  fi
  NEMO_SECRET_KEY=$(cat .nemo/secret-key)
  export NEMO_SECRET_KEY
fi
# The key that signs session cookies (the console refuses to start without one): generated once, mode 600.
if [ -z "${NEXTAUTH_SECRET:-}" ]; then
  if [ ! -f .nemo/nextauth-secret ]; then
    (umask 077 && node -e 'process.stdout.write(require("node:crypto").randomBytes(32).toString("hex"))' > .nemo/nextauth-secret)
  fi
  chmod 600 .nemo/nextauth-secret
  NEXTAUTH_SECRET=$(cat .nemo/nextauth-secret)
  export NEXTAUTH_SECRET
fi
# The local OIDC issuer stands in for Keycloak here (NEMO_LOCAL_ISSUER=0 with a real one); it needs
# forcing under NODE_ENV=production, and its client secret is generated like the keys above.
# The demo runs on the simulated continuum (sim:// clusters), which a production console refuses.
export NEMO_ALLOW_SIMULATED="${NEMO_ALLOW_SIMULATED:-1}"
export NEMO_LOCAL_ISSUER="${NEMO_LOCAL_ISSUER:-1}"
# Accounting shows charges period after period within a short demo (the default is 60 s).
export BILLING_PERIOD_MS="${BILLING_PERIOD_MS:-15000}"
# CFDRL decides (and trains) every 5 s, so an enabled instance shows decisions within a demo (the default is 60 s).
export CFDRL_PERIOD_MS="${CFDRL_PERIOD_MS:-5000}"
if [ "$NEMO_LOCAL_ISSUER" = "1" ]; then
  export NEMO_LOCAL_ISSUER_FORCE="${NEMO_LOCAL_ISSUER_FORCE:-1}"
  export NEMO_DEMO_USERS="${NEMO_DEMO_USERS:-1}"
  if [ -z "${KEYCLOAK_CLIENT_SECRET:-}" ]; then
    if [ ! -f .nemo/keycloak-client-secret ]; then
      (umask 077 && node -e 'process.stdout.write(require("node:crypto").randomBytes(24).toString("base64url"))' > .nemo/keycloak-client-secret)
    fi
    chmod 600 .nemo/keycloak-client-secret
    KEYCLOAK_CLIENT_SECRET=$(cat .nemo/keycloak-client-secret)
    export KEYCLOAK_CLIENT_SECRET
  fi
  # A service account for scripts (README "REST access for scripts"): the client-credentials
  # grant with client id nemo-automation and the service-provider realm role; secret generated once.
  if [ -z "${NEMO_SERVICE_ACCOUNTS_FILE:-}" ]; then
    if [ ! -f .nemo/service-accounts.json ]; then
      (umask 077 && node -e 'const secret = require("node:crypto").randomBytes(24).toString("base64url");
        process.stdout.write(JSON.stringify({ clients: [{ clientId: "nemo-automation", clientSecret: secret,
          realmRoles: ["service-provider"] }] }, null, 2) + "\n")' > .nemo/service-accounts.json)
    fi
    chmod 600 .nemo/service-accounts.json
    NEMO_SERVICE_ACCOUNTS_FILE="$PWD/.nemo/service-accounts.json"
    export NEMO_SERVICE_ACCOUNTS_FILE
  fi
fi
# Readable one-line logs in a terminal; JSON when the output goes to a file or a log collector
# (and always with LOG_FORMAT=json). Periodic metrics lines are at debug (LOG_LEVEL=debug shows them).
if [ -z "${LOG_FORMAT:-}" ]; then
  if [ -t 1 ]; then export LOG_FORMAT=pretty; else export LOG_FORMAT=json; fi
fi
export DATABASE_URL="${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/nemo}"
# next-auth reads it from the environment itself (and warns when it is missing).
export NEXTAUTH_URL="${NEXTAUTH_URL:-http://localhost:3000}"
export METRICS_PERIOD_MS="${METRICS_PERIOD_MS:-5000}"
export NODE_ENV=production

run npm run --silent db:migrate
run npm run --silent db:seed

if [ "${NEMO_SKIP_BUILD:-0}" != "1" ]; then
  run node node_modules/next/dist/bin/next build
fi

echo
if [ "${NEMO_DEMO_USERS:-0}" = "1" ]; then
  echo "NEMO Console: http://localhost:${PORT:-3000}  (demo logins: admin/admin, infra/infra, provider/provider, nobody/nobody)"
else
  echo "NEMO Console: http://localhost:${PORT:-3000}"
fi
trap - INT TERM
exec node --import tsx workers/supervisor.ts
