#!/usr/bin/env python3
"""Load generator for the end-to-end ingest benchmark (stdlib only).

Posts the same readings to HazardMon (`POST /v1/readings`, JSON) or to InfluxDB 1.x (`POST /write`, line
protocol) from several keep-alive clients, and prints one JSON line: readings/s acknowledged (2xx), request
latency p50/p99, and the count of non-2xx answers. Every (channel, time stamp) is unique, so every reading is
a real insert. Bodies are built before the clock starts, so only sending and waiting is timed.

Time stamps: each client posts for its own share of the channels (channel i belongs to client i % clients,
as each device posts only its own readings), every channel's readings one declared interval apart
(`[device, channel, interval_s]` in --channels; 300 s when absent) from --base-ms on, so each channel's
readings arrive in time order as a live device sends them. Every time stamp must be in the past: the
generator refuses to start otherwise (HazardMon answers 200 with `rejected` for a future time stamp, which
would count as throughput). For HazardMon, the `accepted` count of every answer is added up and printed;
readings/s counts only accepted readings.
"""
import argparse, http.client, json, statistics, sys, threading, time

def bodies(target, channels, client, clients, batch, requests, base_ms):
    out = []
    own = channels[client::clients] if clients <= len(channels) else [channels[client % len(channels)]]
    count = len(own)
    for r in range(requests):
        lines = []
        for j in range(batch):
            k = r * batch + j
            device, channel, index, interval_ms = own[k % count]
            ts = base_ms + (k // count) * interval_ms
            value = (k % 97) / 10.0
            if target == "hazardmon":
                stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts // 1000)) + ".%03dZ" % (ts % 1000)
                lines.append({"device": device, "channel": channel, "ts": stamp, "value": value})
            else:
                lines.append("readings,channel=ch%04d value=%r %d" % (index, value, ts))
        out.append(json.dumps({"readings": lines}).encode() if target == "hazardmon" else "\n".join(lines).encode())
    return out

def main():
    p = argparse.ArgumentParser()
    p.add_argument("--target", choices=["hazardmon", "influx"], required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--batch", type=int, required=True)
    p.add_argument("--clients", type=int, default=4)
    p.add_argument("--readings", type=int, required=True, help="total readings over all clients")
    p.add_argument("--channels", required=True, help="JSON file: [[device, channel], ...]")
    p.add_argument("--token", default="")
    p.add_argument("--base-ms", type=int, required=True)
    a = p.parse_args()
    channels = [(e[0], e[1], i, (int(e[2]) if len(e) > 2 else 300) * 1000) for i, e in enumerate(json.load(open(a.channels)))]
    per_client = max(1, a.readings // a.batch // a.clients)
    steps = -(-per_client * a.batch // max(1, len(channels) // a.clients))
    newest = a.base_ms + steps * max(c[3] for c in channels)
    if newest > time.time() * 1000:
        sys.exit("loadgen: time stamps would reach %s, in the future: use an earlier --base-ms"
                 % time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(newest // 1000)))
    payloads = [bodies(a.target, channels, c, a.clients, a.batch, per_client, a.base_ms) for c in range(a.clients)]
    if a.target == "hazardmon":
        path, headers = "/v1/readings", {"Content-Type": "application/json", "Authorization": "Bearer " + a.token}
    else:
        path, headers = "/write?db=bench&precision=ms", {"Content-Type": "text/plain"}
    latencies, failures, accepted, lock = [], [0], [0], threading.Lock()
    def worker(c):
        conn = http.client.HTTPConnection("127.0.0.1", a.port, timeout=60)
        mine, taken = [], 0
        for body in payloads[c]:
            t0 = time.perf_counter()
            conn.request("POST", path, body=body, headers=headers)
            resp = conn.getresponse()
            answer = resp.read()
            mine.append(time.perf_counter() - t0)
            if resp.status // 100 != 2:
                with lock: failures[0] += 1
            elif a.target == "hazardmon":
                # The answer starts {"accepted":N,...}: read N without parsing the per-item results.
                taken += int(answer[12:answer.index(b",", 12)]) if answer.startswith(b'{"accepted":') else 0
            else:
                taken += a.batch
        conn.close()
        with lock:
            latencies.extend(mine)
            accepted[0] += taken
    threads = [threading.Thread(target=worker, args=(c,)) for c in range(a.clients)]
    start = time.perf_counter()
    for t in threads: t.start()
    for t in threads: t.join()
    elapsed = time.perf_counter() - start
    sent = per_client * a.clients * a.batch
    latencies.sort()
    print(json.dumps({
        "target": a.target, "batch": a.batch, "clients": a.clients, "readings": sent, "seconds": round(elapsed, 3),
        "accepted": accepted[0],
        "readings_per_s": round(accepted[0] / elapsed),
        "p50_ms": round(latencies[len(latencies) // 2] * 1000, 2),
        "p99_ms": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000, 2),
        "non_2xx": failures[0],
    }))

if __name__ == "__main__":
    main()
