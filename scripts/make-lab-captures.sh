#!/usr/bin/env bash
# Make the lab captures of fixtures/lab-made/ (see scripts/make-lab-captures.ts and
# fixtures/lab-made/README.md). Needs root and the lab packages (kamailio, sip-tester, tcpdump,
# tshark). Compiles the TypeScript script and the test harness with the project's tsc into a
# temp dir, then runs it with node; the harness finds its kamailio.cfg and sipp scenarios
# through VOIPDIAG_HARNESS_DIR.
#
#   scripts/make-lab-captures.sh                       # all captures (~40 s)
#   scripts/make-lab-captures.sh --only busy,mixed     # some of them
#   scripts/make-lab-captures.sh --out /tmp/x          # elsewhere
set -euo pipefail
cd "$(dirname "$0")/.."
build="$(mktemp -d /tmp/voipdiag-make-lab-captures-XXXXXX)"
trap 'rm -rf "$build"' EXIT
npx --no-install tsc --outDir "$build" --rootDir . --module NodeNext --moduleResolution NodeNext \
  --target ES2022 --lib ES2022 --types node --strict --noUncheckedIndexedAccess --skipLibCheck \
  scripts/make-lab-captures.ts
echo '{"type":"module"}' >"$build/package.json"
rc=0
VOIPDIAG_HARNESS_DIR="$PWD/test/harness" node "$build/scripts/make-lab-captures.js" "$@" || rc=$?
exit $rc
