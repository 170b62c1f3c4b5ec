#!/usr/bin/env bash
# Checks deploy/hazardmon.service with systemd's own parser. Installs nothing.
#
#   scripts/verify-unit.sh            exit 0: verified; 1: problems found; 2: could not check here
#
# What it does:
#   1. `systemd-analyze verify` on a copy of the unit. If /usr/local/bin/hazardmon is not installed (a
#      build machine, CI), the copy runs /bin/true instead, because verify fails on a missing ExecStart
#      binary; every other line is checked as written.
#   2. systemd-analyze (252 at least) exits 0 even when it ignores a misspelt key or a bad value, and only
#      prints a warning, so ANY output from verify counts as a failure here.
#   3. A canary: the same check on a copy with a made-up key must produce a warning, proving that step 2
#      is not passing vacuously in this environment.
#   4. `systemd-analyze security --offline=true`: the unit's exposure score must stay at or below
#      $MAX_EXPOSURE (it is 1.8 today), so a lost hardening line fails the check.
#
# What it cannot check: that the user `hazardmon` exists, that the binary works under the sandbox, or how
# the unit behaves when started. Those need a real systemd (`systemctl start hazardmon`, deploy/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."

UNIT=deploy/hazardmon.service
BINARY=/usr/local/bin/hazardmon
MAX_EXPOSURE=${MAX_EXPOSURE:-2.5}

if ! command -v systemd-analyze >/dev/null 2>&1; then
    echo "verify-unit: systemd-analyze not found; $UNIT was NOT verified (install systemd to check it)." >&2
    exit 2
fi
echo "verify-unit: $(systemd-analyze --version | head -n 1)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The unit's name matters to systemd (hazardmon.service), so the copy keeps it.
copy="$work/hazardmon.service"
if [[ -x "$BINARY" ]]; then
    cp "$UNIT" "$copy"
else
    echo "verify-unit: $BINARY is not installed; checking a copy whose ExecStart runs /bin/true."
    sed "s|^ExecStart=$BINARY |ExecStart=/bin/true |" "$UNIT" >"$copy"
    if ! grep -q '^ExecStart=/bin/true ' "$copy"; then
        echo "verify-unit: could not find 'ExecStart=$BINARY ' in $UNIT to substitute" >&2
        exit 1
    fi
fi

# Runs verify on $1; prints its output; succeeds only if it printed nothing and exited 0.
verify_quietly() {
    local output status=0
    output=$(systemd-analyze verify --man=no "$1" 2>&1) || status=$?
    if [[ -n "$output" ]]; then
        printf '%s\n' "$output"
    fi
    [[ $status -eq 0 && -z "$output" ]]
}

failed=0

echo "verify-unit: systemd-analyze verify $UNIT"
if verify_quietly "$copy"; then
    echo "verify-unit: verify: no warnings, no errors"
else
    echo "verify-unit: verify reported problems (above)" >&2
    failed=1
fi

mkdir "$work/canary"
sed 's|^\[Service\]$|[Service]\nHazardMonVerifyCanary=1|' "$copy" >"$work/canary/hazardmon.service"
canary=$(systemd-analyze verify --man=no "$work/canary/hazardmon.service" 2>&1 || true)
if grep -q 'HazardMonVerifyCanary' <<<"$canary"; then
    echo "verify-unit: canary: an unknown key is reported here, so a silent verify means a clean unit"
else
    echo "verify-unit: canary: verify did NOT report an unknown key; its silence proves nothing here" >&2
    printf '%s\n' "$canary" >&2
    exit 2
fi

echo "verify-unit: systemd-analyze security --offline=true (exposure must be <= $MAX_EXPOSURE)"
# No --threshold: it takes systemd's internal 0-100 scale; the printed score is compared here instead.
security=$(systemd-analyze security --offline=true "$copy" 2>&1 || true)
exposure=$(grep -o 'Overall exposure level for hazardmon.service: [0-9.]*' <<<"$security" | grep -o '[0-9.]*$' || true)
if [[ -z "$exposure" ]]; then
    echo "verify-unit: systemd-analyze security gave no score (too old for --offline?); skipped:" >&2
    printf '%s\n' "$security" | tail -n 5 >&2
elif awk -v e="$exposure" -v max="$MAX_EXPOSURE" 'BEGIN { exit !(e <= max) }'; then
    echo "verify-unit: security: exposure $exposure (systemd's scale: 0 = fully sandboxed, 10 = unprotected)"
else
    printf '%s\n' "$security" | grep '✗' >&2 || true
    echo "verify-unit: security: exposure $exposure is above $MAX_EXPOSURE" >&2
    failed=1
fi

if [[ $failed -ne 0 ]]; then
    exit 1
fi
echo "verify-unit: OK"
