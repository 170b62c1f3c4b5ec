#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Soak the feed port of a real `hazardmon serve` on 127.0.0.1 with the connections of issue 8.

Starts the daemon (sample county, demo token, a temporary database), then for each scenario opens raw TCP
connections and reports: connections the daemon still holds after its timeouts, its RSS, and the time it
took to shed them. Loopback only; nothing is left running.

    python3 Benchmarks/network/soak.py [--binary .build/release/hazardmon] [--idle 3000] [--stalled 300]
"""
import argparse
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOKEN = "hazardmon-sample-county-demo-token"


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def server_sockets(port, states=("01",)):
    """Server-side sockets of `port` in the given /proc/net/tcp states (01 ESTABLISHED, 05 FIN-WAIT-2, 08 CLOSE-WAIT)."""
    count = 0
    hexport = ":%04X" % port
    with open("/proc/net/tcp") as f:
        next(f)
        for line in f:
            fields = line.split()
            if fields[1].endswith(hexport) and fields[3] in states:
                count += 1
    return count


def open_fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def metric(port, name):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    for line in data.decode().splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    return None


def connect_many(port, n, payload=b""):
    conns = []
    for _ in range(n):
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
        except OSError:
            break
        if payload:
            s.setblocking(False)
            try:
                s.send(payload)
            except OSError:
                pass
        conns.append(s)
    return conns


def wait_shed(pid, port, baseline_fds, limit_s):
    """Seconds until the daemon holds no feed connection any more (open fds back to the baseline)."""
    start = time.monotonic()
    while time.monotonic() - start < limit_s:
        if server_sockets(port) == 0 and open_fds(pid) <= baseline_fds + 2:
            return time.monotonic() - start
        time.sleep(0.1)
    return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build/debug/hazardmon"))
    parser.add_argument("--idle", type=int, default=3000)
    parser.add_argument("--stalled", type=int, default=300)
    parser.add_argument("--max-connections", type=int, default=1000)
    parser.add_argument("--idle-timeout", type=int, default=30)
    parser.add_argument("--read-timeout", type=int, default=15)
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 65536), hard))

    folder = tempfile.mkdtemp(prefix="hazardmon-soak-")
    config = os.path.join(folder, "hazardmon.yaml")
    with open(config, "w") as f:
        f.write(
            f"listen: 127.0.0.1:0\nmetrics_listen: 127.0.0.1:0\ndatabase: {folder}/db.sqlite\n"
            f"sites: {ROOT}/sites\nthresholds: {ROOT}/thresholds\ntokens: {ROOT}/deploy/sample-tokens.yaml\n"
            f"idle_timeout_s: {args.idle_timeout}\nread_timeout_s: {args.read_timeout}\n"
            f"max_connections: {args.max_connections}\nlog_level: notice\n"
        )
    log = open(os.path.join(folder, "daemon.log"), "w+")
    # log_level notice hides the port lines; ask for info on the command line instead.
    daemon = subprocess.Popen([args.binary, "serve", "--config", config, "--log-level", "info"], stderr=log, stdout=subprocess.DEVNULL)
    port = metrics_port = None
    deadline = time.monotonic() + 120
    while (port is None or metrics_port is None) and time.monotonic() < deadline and daemon.poll() is None:
        time.sleep(0.2)
        log.seek(0)
        text = log.read()
        found = re.search(r"metrics_listen=127\.0\.0\.1:(\d+)", text)
        metrics_port = int(found.group(1)) if found else None
        found = re.search(r" address=127\.0\.0\.1:(\d+)", text)
        port = int(found.group(1)) if found else None
    if port is None or metrics_port is None:
        log.seek(0)
        print("the daemon did not start:\n" + log.read(), file=sys.stderr)
        daemon.kill()
        shutil.rmtree(folder, ignore_errors=True)
        sys.exit(1)
    pid = daemon.pid
    base_fds = open_fds(pid)
    print(f"daemon pid {pid}, feed port {port}, metrics port {metrics_port}, {base_fds} fds, RSS {rss_mb(pid):.1f} MB")
    print(f"idle_timeout_s {args.idle_timeout}, read_timeout_s {args.read_timeout}, max_connections {args.max_connections}")

    def scenario(name, conns, timeout):
        t0 = time.monotonic()
        time.sleep(1)
        held = server_sockets(port)
        print(f"\n{name}: opened {len(conns)}; after 1 s the daemon holds {held}, {open_fds(pid)} fds, RSS {rss_mb(pid):.1f} MB")
        shed = wait_shed(pid, port, base_fds, timeout + 30)
        after = time.monotonic() - t0
        print(
            f"  shed all after {shed + 1 if shed is not None else float('nan'):.1f} s; held after {after:.0f} s: {server_sockets(port)}; "
            f"RSS {rss_mb(pid):.1f} MB; refused so far {metric(metrics_port, 'hazardmon_http_connections_refused_total')}; "
            f"read timeouts {metric(metrics_port, 'hazardmon_http_read_timeouts_total')}"
        )
        # Good requests still get through afterwards.
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        status_line = s.recv(100).split(b"\r\n")[0].decode()
        print(f"  healthz afterwards: {status_line}")
        s.close()
        for c in conns:
            c.close()

    scenario("idle connections", connect_many(port, args.idle), args.idle_timeout)
    scenario("half headers", connect_many(port, args.idle, b"POST /v1/readings HTTP/1.1\r\nHost: x\r\nContent-Le"), args.idle_timeout)
    body_head = (
        f"POST /v1/readings HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\nContent-Length: 4194304\r\n\r\n"
    ).encode()
    stalled = connect_many(port, args.stalled)
    chunk = b"x" * 65536
    for s in stalled:  # all but one byte of a 4 MiB body, as fast as the socket takes it
        s.setblocking(True)
        s.settimeout(10)
        try:
            s.sendall(body_head)
            for _ in range(63):
                s.sendall(chunk)
            s.sendall(chunk[:-1])
        except OSError:
            pass
    print(f"\nstalled bodies sent: peak RSS {rss_mb(pid):.1f} MB with {server_sockets(port)} held")
    scenario("stalled 4 MiB bodies", stalled, args.read_timeout)

    # 4 MiB headers: read the 400, close; count FIN-WAIT-2 sockets left on the server.
    big = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (4 * 1024 * 1024) + b"\r\n\r\n"
    for _ in range(50):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.setblocking(False)
        sent, answer = 0, b""
        t = time.monotonic()
        while b"\r\n\r\n" not in answer and time.monotonic() - t < 5:
            try:
                sent += s.send(big[sent:]) if sent < len(big) else 0
            except OSError:
                pass
            try:
                answer += s.recv(65536)
            except OSError:
                time.sleep(0.005)
        s.close()
    time.sleep(3)
    print(f"\n50 x 4 MiB header, 400 read, closed: FIN-WAIT-2 on the server after 3 s: {server_sockets(port, ('05',))}, "
          f"held: {server_sockets(port, ('01', '05', '08'))}")

    # SIGTERM with a stalled body.
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(body_head + b"x" * 1000)
    time.sleep(0.5)
    t = time.monotonic()
    daemon.send_signal(signal.SIGTERM)
    code = daemon.wait(timeout=60)
    print(f"\nSIGTERM with a stalled body: exit {code} after {time.monotonic() - t:.1f} s")
    s.close()
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
