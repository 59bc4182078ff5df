"""Load test of `unspin serve` on loopback: concurrent clients, throughput, latency, errors, RSS.

Starts the server as a child process on 127.0.0.1, sends CLIENTS x REQUESTS analyses of short
news paragraphs, and prints throughput, p50/p95 latency, outcomes by status and error code, and
the server's RSS after warm-up and at the end (peak from /proc VmHWM). Expected: no errors
except explicit 503s when the bounded queue is full ("503 busy"), and RSS flat after warm-up.

Run: python benchmarks/load.py [--clients 50] [--requests 200]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import socket
import statistics
import subprocess
import sys
import time

import httpx

TEXTS = [
    "Officials said on Tuesday that the budget would be debated next week.",
    "The corrupt elite will stop at nothing to silence ordinary patriots like you.",
    "Is this really the best our leaders can offer? Nobody believes them any more.",
    "Experts warn that the reckless plan will destroy thousands of jobs overnight.",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> tuple[float, float]:
    fields = {}
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            k, _, v = line.partition(":")
            fields[k] = v.strip()
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def outcome(r: httpx.Response) -> str:
    """"ok", or the status with the API's error code ("503 busy", "503 timeout"); a 503 from
    uvicorn's connection cap has no JSON body ("503 connections")."""
    if r.status_code == 200:
        return "ok"
    try:
        return f"{r.status_code} {r.json()['error']['code']}"
    except (ValueError, KeyError, TypeError):
        return f"{r.status_code} connections" if r.status_code == 503 else str(r.status_code)


async def client(c: httpx.AsyncClient, n: int, k: int, lat: list, kinds: collections.Counter):
    for i in range(n):
        body = {"text": f"Report {k}-{i}\n\n" + " ".join(TEXTS[(k + j) % 4] for j in range(3))}
        t0 = time.perf_counter()
        try:
            r = await c.post("/v1/analyze", json=body)
            kinds[outcome(r)] += 1
            if r.status_code == 503:
                await asyncio.sleep(float(r.headers.get("retry-after", "1")) / 10)
        except httpx.HTTPError as exc:
            kinds[type(exc).__name__] += 1
        lat.append(time.perf_counter() - t0)


async def run(port: int, clients: int, requests: int):
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=120,
                                 limits=limits) as c:
        lat, kinds = [], collections.Counter()
        t0 = time.perf_counter()
        await asyncio.gather(*(client(c, requests, k, lat, kinds) for k in range(clients)))
        return time.perf_counter() - t0, lat, kinds


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--max-queue", type=int, default=16)
    args = ap.parse_args()
    port = free_port()
    env = dict(os.environ, UNSPIN_THREADS="2")
    server = subprocess.Popen([sys.executable, "-m", "unspin.cli", "serve", "--port", str(port),
                               "--max-queue", str(args.max_queue)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            sys.exit("server did not start")
        asyncio.run(run(port, 4, 10))  # warm-up
        warm_rss, _ = rss_mb(server.pid)
        wall, lat, kinds = asyncio.run(run(port, args.clients, args.requests))
        end_rss, peak = rss_mb(server.pid)
        ok = kinds.get("ok", 0)
        lat.sort()
        print(f"{args.clients} clients x {args.requests} requests = {len(lat)} in {wall:.1f} s")
        print(f"throughput: {len(lat) / wall:.1f} req/s ({ok / wall:.1f} analysed/s)")
        print(f"latency: p50 {1000 * statistics.median(lat):.0f} ms, "
              f"p95 {1000 * lat[int(0.95 * (len(lat) - 1))]:.0f} ms")
        print("outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
        print(f"server RSS: {warm_rss:.0f} MB after warm-up, {end_rss:.0f} MB at end, "
              f"peak {peak:.0f} MB")
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
