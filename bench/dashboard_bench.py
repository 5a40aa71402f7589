#!/usr/bin/env python3
"""The dashboard under a full request log: every page's load time with a small log (the baseline) and
again once 100,000 requests are logged, in one run; prints both and their ratio.

Usage: python3 bench/dashboard_bench.py [--keel .build/release/keel] [--requests 100000]
"""

import argparse
import os
import sqlite3
import statistics
import subprocess
import tempfile
import time
import urllib.request

from gateway_bench import KEY, free_port, start_keel, wait_ready

VIEWER_KEY = "sk-keel-bench-viewer-0123456789abcdefghijkl"
PAGES = [
    "/dashboard?hours=1",
    "/dashboard",
    "/dashboard?hours=168",
    "/dashboard/routes",
    "/dashboard/requests",
    "/dashboard/requests?failed=true",
    "/dashboard/operations",
    "/dashboard/workflows",
]


def logged(database):
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        return connection.execute("SELECT count(*) FROM requests").fetchone()[0]


def fill(url, database, target):
    """Sends chat completions (some, in large fills, to a model no route knows) until the log holds `target` rows."""
    here = os.path.dirname(os.path.abspath(__file__))
    while (missing := target - logged(database)) > 0:
        environment = {**os.environ, "KEEL_BENCH_KEY": KEY, "KEEL_BENCH_MODEL": "gpt-4o-mini"}
        load = ["-t2", "-c32", "-d5s"] if missing > 20_000 else ["-t1", "-c2", "-d1s"]
        subprocess.run(["wrk", *load, "-s", os.path.join(here, "post.lua"), url], env=environment, capture_output=True, check=True)
        if missing > 20_000:
            environment["KEEL_BENCH_MODEL"] = "no-such-route"
            subprocess.run(["wrk", "-t1", "-c4", "-d1s", "-s", os.path.join(here, "post.lua"), url], env=environment, capture_output=True, check=True)
    time.sleep(1)  # the writer's last batch


def load_times(base, rounds=7):
    """The median milliseconds of each page, from the request to the last byte."""
    times = {}
    for page in PAGES:
        samples = []
        for _ in range(rounds):
            request = urllib.request.Request(base + page, headers={"Authorization": f"Bearer {VIEWER_KEY}"})
            began = time.perf_counter()
            with urllib.request.urlopen(request, timeout=30) as response:
                response.read()
                assert response.status == 200, f"{page}: {response.status}"
            samples.append((time.perf_counter() - began) * 1000)
        times[page] = statistics.median(samples)
    return times


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--keel", default=".build/release/keel")
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--baseline", type=int, default=1_000, help="requests logged for the baseline")
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="keel-dashboard-bench-")
    upstream_port, keel_port = free_port(), free_port()
    upstream = subprocess.Popen([args.keel, "simulate", "--port", str(upstream_port), "--output-tokens", "16"], stdout=subprocess.DEVNULL)
    upstream_url = f"http://127.0.0.1:{upstream_port}/v1"
    database = os.path.join(folder, "keel.sqlite")
    keel = None
    try:
        wait_ready(f"{upstream_url}/models", upstream)
        keel = start_keel(args.keel, folder, "keel", keel_port, upstream_url, viewer_key=VIEWER_KEY)
        base = f"http://127.0.0.1:{keel_port}"
        chat = f"{base}/v1/chat/completions"

        fill(chat, database, args.baseline)
        small_rows = logged(database)
        small = load_times(base)
        began = time.time()
        fill(chat, database, args.requests)
        large_rows = logged(database)
        print(f"logged {large_rows} requests in {time.time() - began:.0f} s")
        large = load_times(base)

        print(f"\nDashboard page load (median of 7, ms), {small_rows} logged requests vs {large_rows}:")
        print(f"{'page':36} {'small':>8} {'large':>8} {'ratio':>7}  under 1 s")
        for page in PAGES:
            print(f"{page:36} {small[page]:8.1f} {large[page]:8.1f} {large[page] / small[page]:7.1f}  {'yes' if large[page] < 1000 else 'NO'}")
    finally:
        for process in (keel, upstream):
            if process:
                process.terminate()
                process.wait(timeout=30)


if __name__ == "__main__":
    main()
