#!/usr/bin/env bash
# End-to-end durable ingest over HTTP on loopback: `hazardmon serve` (release build, the sample county's
# 360 channels; twice: with the sample rules in thresholds/ active, and with an empty rule folder) and InfluxDB 1.x (Debian's influxdb, /write line protocol) take the same readings from the
# same load generator (Benchmarks/http/loadgen.py, keep-alive clients: 64 at batch sizes 1 and 100, as many
# field devices post at once; 4 at batch 1000, as gateways do) at batch sizes 1, 100 and 1000;
# the raw C SQLite ceiling (Benchmarks/ingest/sqlite_c_ceiling.c, same schema and pragmas) runs in the same
# session. Prints medians of RUNS runs, p50/p99 request latency, hazardmon's peak RSS, the ratios, the cost of
# the rules (rules on / rules off, goal >= 0.85) and what the engine did in the rules-on runs (transitions,
# notices and instance states written, from the database after the run).
# Everything binds to 127.0.0.1 and lives in a temporary folder; every process started is stopped.
#   Benchmarks/http/run.sh [RUNS=3]
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${1:-3}
BIN=${HAZARDMON:-.build/release/hazardmon}
[ -x "$BIN" ] || { echo "build first: swift build -c release" >&2; exit 1; }
command -v influxd >/dev/null || { echo "influxd missing: apt-get install -y influxdb" >&2; exit 1; }
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

mkdir -p .build/bench
cc -O2 -o .build/bench/sqlite_c_ceiling Benchmarks/ingest/sqlite_c_ceiling.c $(pkg-config --cflags --libs sqlite3)

# The channels of the sample county, as [device, channel] pairs.
python3 - "$work/channels.json" <<'PY'
import csv, json, sys
rows = list(csv.DictReader(open("sites/devices.csv", encoding="utf-8")))
json.dump([[r["device_id"], r["channel"], int(r["interval_s"])] for r in rows], open(sys.argv[1], "w"))
PY
# Readings are one declared interval apart per channel (up to ~1,100 a channel at 1 h for GNSS): start far
# enough back that the newest is still in the past (the load generator checks), well inside the retention.
base_ms=$(( ($(date +%s) - 60 * 86400) * 1000 ))
mkdir -p "$work/no-rules"
token=hazardmon-sample-county-demo-token

# start_hazardmon on|off: the sample rules, or an empty rule folder (no *.yaml: no rules).
start_hazardmon() {
  rm -f "$work"/hm.sqlite*
  if [ "$1" = on ]; then thresholds=$PWD/thresholds; else thresholds=$work/no-rules; fi
  cat > "$work/hm.yaml" <<YAML
listen: 127.0.0.1:18080
database: $work/hm.sqlite
sites: $PWD/sites
tokens: $PWD/deploy/sample-tokens.yaml
thresholds: $thresholds
log_level: warning
YAML
  "$BIN" serve --config "$work/hm.yaml" 2>"$work/hm.log" & hm_pid=$!
  pids+=("$hm_pid")
  for _ in $(seq 100); do curl -sf http://127.0.0.1:18080/readyz >/dev/null && return; sleep 0.1; done
  echo "hazardmon did not start:"; cat "$work/hm.log"; exit 1
}
start_influx() {
  rm -rf "$work/influx"; mkdir -p "$work/influx"/{data,meta,wal}
  cat > "$work/influx/influxdb.conf" <<CONF
reporting-disabled = true
bind-address = "127.0.0.1:18088"
[meta]
  dir = "$work/influx/meta"
[data]
  dir = "$work/influx/data"
  wal-dir = "$work/influx/wal"
[http]
  bind-address = "127.0.0.1:18086"
  log-enabled = false
[monitor]
  store-enabled = false
CONF
  influxd run -config "$work/influx/influxdb.conf" >"$work/influx.log" 2>&1 & influx_pid=$!
  pids+=("$influx_pid")
  for _ in $(seq 100); do curl -sf http://127.0.0.1:18086/ping >/dev/null && break; sleep 0.1; done
  curl -sf -XPOST http://127.0.0.1:18086/query --data-urlencode 'q=CREATE DATABASE bench' >/dev/null
}
stop() { kill "$1"; wait "$1" 2>/dev/null || true; }

results="$work/results.jsonl"
for batch in 1 100 1000; do
  case $batch in 1) total=20000 clients=64 ;; 100) total=200000 clients=64 ;; *) total=400000 clients=4 ;; esac
  for run in $(seq "$RUNS"); do
    # Rules on and off back to back, in alternating order from run to run.
    if [ $((run % 2)) -eq 1 ]; then modes="on off"; else modes="off on"; fi
    for rules in $modes; do
      start_hazardmon $rules
      python3 Benchmarks/http/loadgen.py --target hazardmon --port 18080 --batch $batch --clients $clients --readings $total \
        --channels "$work/channels.json" --token $token --base-ms $base_ms \
        | python3 -c "import json,sys; r=json.load(sys.stdin); r['rules']='$rules'; r['rss_mb']=int(open('/proc/$hm_pid/status').read().split('VmHWM:')[1].split()[0])//1024; print(json.dumps(r))" >>"$results"
      stop "$hm_pid"
      # What the engine did: rows the run wrote in the same transactions as the readings.
      python3 - "$work/hm.sqlite" "$batch" "$rules" >>"$results" <<'PY'
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
one = lambda q: db.execute(q).fetchone()[0]
r = {"target": "activity", "batch": int(sys.argv[2]), "rules": sys.argv[3], "readings": one("SELECT count(*) FROM readings"),
     "states": one("SELECT count(*) FROM rule_state"), "transitions": one("SELECT count(*) FROM level_transitions"),
     "raised": one("SELECT count(DISTINCT site_code) FROM level_transitions"),
     "notices": dict(db.execute("SELECT kind, count(*) FROM rule_notices GROUP BY kind").fetchall())}
print(json.dumps(r))
PY
    done
    start_influx
    python3 Benchmarks/http/loadgen.py --target influx --port 18086 --batch $batch --clients $clients --readings $total \
      --channels "$work/channels.json" --base-ms $base_ms >>"$results"
    stop "$influx_pid"
  done
done
ceiling=()
for run in $(seq "$RUNS"); do
  rm -f "$work"/c.sqlite*
  ceiling+=("$(.build/bench/sqlite_c_ceiling "$work/c.sqlite" 1000000 1000 360 | sed -n 's/.*rows_per_s=\([0-9]*\).*/\1/p')")
done
python3 - "$results" "${ceiling[@]}" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
activity = [r for r in rows if r["target"] == "activity"]
rows = [r for r in rows if r["target"] != "activity"]
ceiling = statistics.median(int(x) for x in sys.argv[2:])
med = lambda xs: statistics.median(xs)
print("end-to-end durable ingest over HTTP (loopback, medians of %d runs)" % (len(rows) // 9))
print("%-6s %-8s %-15s %12s %9s %9s %8s %10s %7s" % ("batch", "clients", "target", "readings/s", "p50 ms", "p99 ms", "non-2xx",
      "not stored", "RSS MB"))
summary = {}
for batch in (1, 100, 1000):
    for target, rules, name in (("hazardmon", "on", "hazardmon rules"), ("hazardmon", "off", "hazardmon none"), ("influx", None, "influx")):
        rs = [r for r in rows if r["batch"] == batch and r["target"] == target and r.get("rules") == rules]
        rate = med([r["readings_per_s"] for r in rs]); summary[(batch, name)] = rate
        print("%-6d %-8d %-15s %12.0f %9.2f %9.2f %8d %10s %7s" % (batch, rs[0]["clients"], name, rate, med([r["p50_ms"] for r in rs]),
              med([r["p99_ms"] for r in rs]), sum(r["non_2xx"] for r in rs),
              sum(r["readings"] - r["accepted"] for r in rs) if target == "hazardmon" else "-",
              str(int(med([r["rss_mb"] for r in rs]))) if target == "hazardmon" else "-"))
print("C SQLite ceiling (same schema and pragmas, batch 1000, 360 channels): %.0f rows/s" % ceiling)
for batch in (1, 100, 1000):
    print("batch %-4d rules on/off ratio: %.2fx (goal >= 0.85x); hazardmon/InfluxDB ratio: %.2fx with rules, %.2fx without" % (
        batch, summary[(batch, "hazardmon rules")] / summary[(batch, "hazardmon none")],
        summary[(batch, "hazardmon rules")] / summary[(batch, "influx")], summary[(batch, "hazardmon none")] / summary[(batch, "influx")]))
print("batch 1000 hazardmon/C ceiling ratio: %.2fx with rules, %.2fx without" % (
    summary[(1000, "hazardmon rules")] / ceiling, summary[(1000, "hazardmon none")] / ceiling))
for batch in (1, 100, 1000):
    a = [r for r in activity if r["batch"] == batch and r["rules"] == "on"]
    if not a: continue
    a = a[len(a) // 2]
    print("batch %-4d rules-on engine activity (one run): %d readings stored, %d instance states, %d level transitions on %d sites, notices %s" % (
        batch, a["readings"], a["states"], a["transitions"], a["raised"], json.dumps(a["notices"], sort_keys=True)))
PY
