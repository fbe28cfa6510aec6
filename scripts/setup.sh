#!/usr/bin/env bash
# genbound set-up: installs system libraries (where it can) and npm packages, then runs a job.
#   bash scripts/setup.sh run     install, then the main job (genbound analyze on the default model)
#   bash scripts/setup.sh test    install, then the full test command (typecheck, lint, tests)
#   bash scripts/setup.sh bench   install (plus numpy and PyTorch for the references), then the benchmarks
set -euo pipefail
cd "$(dirname "$0")/.."
job="${1:-run}"

# Debian packages each job needs. OpenBLAS backs the native engine; the fonts are for figures;
# chromium is for the report tests, redis-server for the queue tests (started by the tests themselves), openssl
# for the TLS queue test's throwaway CA; numpy and torch are only the benchmarks' references.
pkgs=(libopenblas-dev fonts-dejavu-core)
case "$job" in
  test) pkgs+=(chromium redis-server openssl) ;;
  bench) pkgs+=(python3-numpy python3-torch) ;;
esac

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then sudo_cmd=(); elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo_cmd=(sudo -n); else sudo_cmd=(none); fi
  if [ "${sudo_cmd[0]:-}" = none ] || ! command -v apt-get >/dev/null; then
    echo "genbound: cannot install ${missing[*]} (needs root or sudo with apt-get); the pure TypeScript backend will be used where OpenBLAS is missing" >&2
  else
    export DEBIAN_FRONTEND=noninteractive
    "${sudo_cmd[@]}" apt-get update -qq >/dev/null || true
    "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
      echo "genbound: apt-get could not install ${missing[*]}; continuing without them" >&2
  fi
fi

# npm ci installs exactly the lockfile; its install script builds the native addon when
# OpenBLAS is present and otherwise says, in one line, that the TypeScript backend is used.
npm ci --no-audit --no-fund --loglevel=error

case "$job" in
  run) exec npx --no-install genbound analyze ;;
  test) exec npm test ;;
  bench) exec npm run bench ;;
  *) echo "usage: bash scripts/setup.sh run|test|bench" >&2; exit 2 ;;
esac
