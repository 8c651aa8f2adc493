#!/usr/bin/env bash
# Fuzzes every parser of untrusted bytes (cargo-fuzz / libFuzzer, nightly):
# the Cookie header and chunk reassembly, the JWE session / transaction /
# store-id cookies, JWT headers and claims, the query strings of every route
# with the origin headers, the back-channel logout body, and the provider's
# token and discovery responses, DPoP proofs, and the MFA tokens, MFA API and
# My Account answers, proxied paths and connect queries. Each target
# starts from its committed seeds (fuzz/seeds/<target>/, copied into a
# temporary corpus) with its dictionary (fuzz/dicts/) and runs for the given
# number of seconds.
# Prints executions per second and total executions per target; exits
# non-zero on any crash (the input is left in fuzz/artifacts/<target>/).
#
#   scripts/fuzz.sh [seconds-per-target]   (default 30)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
SECS=${1:-30}
TARGETS=(cookie_header jwe_cookie jwt route_queries backchannel_body provider_response dpop_proof platform bearer_header)

cargo fuzz --version >/dev/null 2>&1 || {
  echo "cargo-fuzz is missing: run scripts/install-tools.sh" >&2; exit 1; }

start=$(date +%s)
cargo +nightly fuzz build
built=$(date +%s)

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
summary=()
failed=()
for t in "${TARGETS[@]}"; do
  corpus="$WORK/corpus/$t"
  mkdir -p "$corpus"
  cp fuzz/seeds/"$t"/* "$corpus"/
  # One dictionary per run: the shared edge numbers plus the target's tokens.
  cat fuzz/dicts/numbers.dict fuzz/dicts/"$t".dict >"$WORK/$t.dict"
  log="$WORK/$t.log"
  printf '[fuzz] %s: %s s\n' "$t" "$SECS" >&2
  set +e
  cargo +nightly fuzz run "$t" "$corpus" -- \
    -max_total_time="$SECS" -rss_limit_mb=2048 -timeout=10 -dict="$WORK/$t.dict" \
    -print_final_stats=1 >"$log" 2>&1
  rc=$?
  set -e
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  units=$(find "$corpus" -type f | wc -l)
  if [ "$rc" -ne 0 ]; then
    tail -60 "$log" >&2
    failed+=("$t")
    summary+=("$(printf '%-18s CRASH (exit %s), see fuzz/artifacts/%s/' "$t" "$rc" "$t")")
  else
    summary+=("$(printf '%-18s %10s exec/s %12s executions %6s corpus inputs' "$t" "${rate:-?}" "${execs:-?}" "$units")")
  fi
done

end=$(date +%s)
printf '\n[fuzz] %-18s %s\n' target result >&2
for line in "${summary[@]}"; do printf '[fuzz] %s\n' "$line" >&2; done
printf '[fuzz] build %s s, total %s s\n' "$((built - start))" "$((end - start))" >&2
if [ ${#failed[@]} -ne 0 ]; then
  printf '[fuzz] crashed: %s\n' "${failed[*]}" >&2
  exit 1
fi
