#!/usr/bin/env python3
"""Keel under hostile load, against the release binary: what #21 must hold, measured.

  fuzz       100,000 seeded fuzzed bodies on /v1 (and queries on /api): crashes, Keel's own 5xx, peak RSS
             against the idle RSS
  flood      20,000+ idle connections from three processes while a well-behaved client keeps calling; its
             success and latency, /healthz, and Keel's file descriptors and RSS before, during and after
  upstreams  each hostile upstream (drip, silence, endless line, enormous body, endless stream, garbage),
             its error and time, and Keel's peak RSS against the configured limits
  stream     a 60 MB streamed answer with log.bodies none and full, in alternating rounds: MB/s of each,
             and the latency of other clients' small requests meanwhile

Usage: swift build -c release --product keel && python3 bench/hostile_soak.py [fuzz|flood|upstreams|stream ...]
"""

import argparse
import asyncio
import http.client
import json
import multiprocessing
import os
import random
import re
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

KEY = "sk-keel-soak-key-0123456789abcdefghijklmn"
ADMIN = "sk-keel-soak-admin-0123456789abcdefghijkl"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as status:
        return int(re.search(r"VmRSS:\s+(\d+) kB", status.read()).group(1)) / 1024


def open_fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


class Sampler(threading.Thread):
    """Keel's RSS every 50 ms while it runs."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.peak, self.running = pid, 0.0, True

    def run(self):
        while self.running:
            try:
                self.peak = max(self.peak, rss_mb(self.pid))
            except (FileNotFoundError, ProcessLookupError):
                return
            time.sleep(0.05)

    def stop(self):
        self.running = False
        self.join()
        return self.peak


def start_keel(binary, folder, port, providers, routes, extra="", log="{ level: warning }"):
    config = os.path.join(folder, f"keel-{port}.yaml")
    with open(config, "w") as file:
        file.write(f"""
server: {{ port: {port} }}
storage: {{ path: {folder}/keel-{port}.sqlite }}
log: {log}
providers:
{providers}
routes:
{routes}
keys:
  app: {{ role: app, secret_env: SOAK_KEY }}
  admin: {{ role: admin, secret_env: SOAK_ADMIN }}
{extra}
""")
    log = open(os.path.join(folder, f"keel-{port}.log"), "w")
    process = subprocess.Popen([binary, "serve", "--config", config], env={**os.environ, "SOAK_KEY": KEY, "SOAK_ADMIN": ADMIN}, stdout=log, stderr=log)
    deadline = time.time() + 60
    while time.time() < deadline:
        if process.poll() is not None:
            sys.exit(f"keel exited with {process.returncode}; see {log.name}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as probe:
                probe.sendall(b"GET /healthz HTTP/1.1\r\nHost: k\r\nConnection: close\r\n\r\n")
                if probe.recv(100).startswith(b"HTTP/1.1 200"):
                    return process
        except OSError:
            time.sleep(0.1)
    sys.exit("keel did not start")


SIMULATOR = """  sim: { type: simulated, latency: { p50_ms: 0, p99_ms: 0 }, tokens_per_second: 0, output_tokens: { min: 8, max: 32 } }"""
SIM_MODELS = """models:
  chat: { provider: sim, context_window: 128000, price: { input: 1, output: 2 } }
  embed: { provider: sim, kind: embedding, price: { input: 0.1 } }"""


def request(port, method, path, body=b"", key=KEY, timeout=30):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {key}"}
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, data


# --- fuzz -------------------------------------------------------------------------------------------

INTEGERS = ["0", "-1", "1", "2147483647", "2147483648", "4294967296", "9007199254740993", "4611686018427387904",
            "9223372036854775807", "-9223372036854775808", "9223372036854775808", "18446744073709551616", "1000000000000",
            "100000000000000000000000000000"]
FLOATS = ["0.5", "-0.0", "1e308", "-1e308", "1e-320", "2.5e18", "9.3e18", "1E400", "1.0"]
CHAT_FIELDS = ["model", "messages", "max_tokens", "max_completion_tokens", "n", "temperature", "top_p", "stop", "tools",
               "tool_choice", "stream", "stream_options", "seed", "logit_bias", "metadata", "response_format", "user"]
EMBEDDING_FIELDS = ["model", "input", "dimensions", "encoding_format", "user"]
NUMERIC = {"max_tokens", "max_completion_tokens", "n", "temperature", "top_p", "dimensions", "seed"}


def fuzz_string(rng):
    choice = rng.randrange(6)
    if choice == 0:
        return '""'
    if choice == 1:
        return '"' + "x" * (rng.randrange(200_000) if rng.random() < 0.05 else rng.randrange(2000)) + '"'
    if choice == 2:
        return '"é漢字😀\\u0000\\ud800 \\t"'
    if choice == 3:
        return '"\\uDFFF\\uD800"'
    return '"' + "word " * rng.randrange(50) + '"'


def fuzz_value(rng, depth=0):
    choice = rng.randrange(6 if depth > 20 else 10)
    if choice == 0:
        return rng.choice(INTEGERS)
    if choice == 1:
        return rng.choice(FLOATS)
    if choice == 2:
        return fuzz_string(rng)
    if choice == 3:
        return rng.choice(["true", "false", "null"])
    if choice == 4:
        return '{"k":' + rng.choice(INTEGERS) + "}"
    if choice == 5:
        return "[" + ",".join(rng.choice(INTEGERS) for _ in range(rng.randrange(5))) + "]"
    if choice == 6:
        return "[" * (50 + rng.randrange(200)) + "]" * (50 + rng.randrange(200))
    if choice == 7:
        return "[" + fuzz_value(rng, depth + 1) + "]"
    if choice == 8:
        return '{"a":' + fuzz_value(rng, depth + 1) + ',"b":' + fuzz_value(rng, depth + 1) + "}"
    return "[" + ",".join("0" for _ in range(rng.randrange(100_000) if rng.random() < 0.05 else rng.randrange(100))) + "]"


def fuzz_field(rng, name):
    if name in NUMERIC and rng.random() < 0.6:
        return rng.choice(INTEGERS) if rng.random() < 0.8 else rng.choice(FLOATS)
    roll = rng.randrange(3)
    if name == "messages" and roll == 0:
        roles = ["user", "system", "assistant", "tool", "developer", "robot", ""]
        count = rng.randrange(20_000) if rng.random() < 0.02 else rng.randrange(6)
        return "[" + ",".join(f'{{"role":"{rng.choice(roles)}","content":{fuzz_value(rng, 2)}}}' for _ in range(count)) + "]"
    if name == "input" and roll == 0:
        return "[" + ",".join('"a"' for _ in range(rng.randrange(3000))) + "]"
    if name == "stop" and roll == 0:
        return "[" + ",".join(fuzz_string(rng) for _ in range(rng.randrange(12))) + "]"
    if name == "tools" and roll == 0:
        return "[" + ",".join('{"type":"function","function":{"name":"f"}}' for _ in range(rng.randrange(300))) + "]"
    return fuzz_value(rng)


def fuzz_body(rng, chat):
    fields = {"model": '"gpt-test"', "messages": '[{"role":"user","content":"hi"}]'} if chat else {"model": '"embed-test"', "input": '"hello"'}
    names = CHAT_FIELDS if chat else EMBEDDING_FIELDS
    for _ in range(1 + rng.randrange(4)):
        name = rng.choice(names)
        fields[name] = fuzz_field(rng, name)
    body = ("{" + ",".join(f'"{name}":{value}' for name, value in fields.items()) + "}").encode()
    if rng.random() < 0.08:
        body = body[: rng.randrange(len(body) + 1)]
    if rng.random() < 0.08:
        body = bytearray(body)
        for _ in range(1 + rng.randrange(4)):
            if body:
                body[rng.randrange(len(body))] = rng.randrange(256)
        body = bytes(body)
    if rng.random() < 0.03:
        body = b""
    return body


def fuzz_worker(port, seed, count, results, lock):
    rng = random.Random(seed)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    local = {"requests": 0, "keel_5xx": 0, "upstream_5xx": 0, "errors": 0, "statuses": {}}
    for index in range(count):
        chat = rng.random() < 0.7
        if index % 50 == 0:
            path = rng.choice(["/api/requests", "/api/cost", "/api/workflows", "/api/workflow-report", "/api/cost/inflation"])
            query = "&".join(f"{rng.choice(['route', 'limit', 'days', 'by', 'before', 'since', 'status'])}={rng.choice(INTEGERS + ['', '%FF', 'x' * 3000])}"
                             for _ in range(rng.randrange(4)))
            method, target, body, key = "GET", f"{path}?{query}", None, ADMIN
        else:
            method, target, body, key = "POST", "/v1/chat/completions" if chat else "/v1/embeddings", fuzz_body(rng, chat), KEY
        for attempt in range(2):
            try:
                connection.request(method, target, body=body, headers={"Content-Type": "application/json", "Authorization": f"Bearer {key}"})
                response = connection.getresponse()
                data = response.read()
                break
            except (http.client.HTTPException, OSError):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                if attempt == 1:
                    local["errors"] += 1
                    data, response = None, None
        local["requests"] += 1
        if response is None:
            continue
        local["statuses"][response.status] = local["statuses"].get(response.status, 0) + 1
        if response.status >= 500:
            try:
                kind = json.loads(data)["error"]["type"]
            except Exception:
                kind = "?"
            local["upstream_5xx" if kind == "upstream_error" else "keel_5xx"] += 1
            if kind != "upstream_error" and local["keel_5xx"] <= 3:
                print(f"  Keel's own {response.status} to {body[:200]!r}: {data[:300]!r}", flush=True)
    with lock:
        for name in ["requests", "keel_5xx", "upstream_5xx", "errors"]:
            results[name] = results.get(name, 0) + local[name]
        for status, count in local["statuses"].items():
            results.setdefault("statuses", {})[status] = results.setdefault("statuses", {}).get(status, 0) + count


def measure_fuzz(args, folder):
    port = free_port()
    routes = "  gpt-test: chat\n  embed-test: embed"
    keel = start_keel(args.keel, folder, port, SIMULATOR, routes, SIM_MODELS + "\n" + "budgets:\n  - { route: gpt-test, window: day, limit_usd: 100000 }")
    for _ in range(300):
        request(port, "POST", "/v1/chat/completions", b'{"model":"gpt-test","messages":[{"role":"user","content":"warm up"}]}')
    time.sleep(2)
    idle = rss_mb(keel.pid)
    sampler = Sampler(keel.pid)
    sampler.start()
    started = time.time()
    results, lock = {}, threading.Lock()
    workers = [threading.Thread(target=fuzz_worker, args=(port, args.seed + index, args.bodies // args.concurrency, results, lock))
               for index in range(args.concurrency)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.time() - started
    peak = sampler.stop()
    alive = keel.poll() is None
    status, _ = request(port, "POST", "/v1/chat/completions", b'{"model":"gpt-test","messages":[{"role":"user","content":"still there?"}]}') if alive else (0, b"")
    keel.terminate()
    keel.wait()
    statuses = ", ".join(f"{code}: {count}" for code, count in sorted(results.get("statuses", {}).items()))
    print(f"fuzz: {results.get('requests', 0):,} requests in {elapsed:.0f} s ({statuses})")
    print(f"  crashes: {0 if alive else 1}   Keel's own 5xx: {results.get('keel_5xx', 0)}   upstream 5xx: {results.get('upstream_5xx', 0)}"
          f"   client errors (no answer): {results.get('errors', 0)}   a good request after: {status}")
    print(f"  RSS idle {idle:.1f} MB, peak {peak:.1f} MB: {peak / idle:.2f}x idle (must stay <= 2x)")
    return alive and results.get("keel_5xx", 0) == 0 and peak <= 2 * idle and status == 200


# --- flood ------------------------------------------------------------------------------------------


def hold_connections(port, count, ready, release):
    resource.setrlimit(resource.RLIMIT_NOFILE, (resource.getrlimit(resource.RLIMIT_NOFILE)[1],) * 2)
    sockets = []
    for _ in range(count):
        try:
            sockets.append(socket.create_connection(("127.0.0.1", port), timeout=5))
        except OSError:
            time.sleep(0.001)
    ready.put(len(sockets))
    release.wait()
    for held in sockets:
        held.close()


def measure_flood(args, folder):
    port = free_port()
    keel = start_keel(args.keel, folder, port, SIMULATOR, "  gpt-test: chat\n  embed-test: embed", SIM_MODELS)
    body = b'{"model":"gpt-test","messages":[{"role":"user","content":"hi"}]}'
    for _ in range(100):
        request(port, "POST", "/v1/chat/completions", body)
    time.sleep(1)
    idle_fds, idle_rss = open_fds(keel.pid), rss_mb(keel.pid)

    def healthy_calls(seconds):
        latencies, failures = [], 0
        deadline = time.time() + seconds
        while time.time() < deadline:
            started = time.time()
            try:
                status, _ = request(port, "POST", "/v1/chat/completions", body, timeout=10)
                health, _ = request(port, "GET", "/healthz", timeout=10)
                ok = status == 200 and health == 200
            except OSError:
                ok = False
            if ok:
                latencies.append((time.time() - started) * 1000)
            else:
                failures += 1
            time.sleep(0.02)
        return latencies, failures

    before, failures_before = healthy_calls(3)
    ready, release = multiprocessing.Queue(), multiprocessing.Event()
    per_process = args.connections // 3
    holders = [multiprocessing.Process(target=hold_connections, args=(port, per_process, ready, release)) for _ in range(3)]
    sampler = Sampler(keel.pid)
    sampler.start()
    flood_started = time.time()
    for holder in holders:
        holder.start()
    during, failures_during = healthy_calls(args.flood_seconds)
    opened = sum(ready.get() for _ in holders)
    flood_fds = open_fds(keel.pid)
    release.set()
    for holder in holders:
        holder.join()
    time.sleep(8)
    after_fds, after_rss, peak = open_fds(keel.pid), rss_mb(keel.pid), sampler.stop()
    after, failures_after = healthy_calls(3)
    metrics = request(port, "GET", "/metrics")[1].decode()
    shed = re.findall(r'keel_limit_exceeded_total\{limit="(server\.[a-z_]+)"\} (\d+)', metrics)
    limit = re.search(r"^keel_connections_limit (\S+)", metrics, re.MULTILINE)
    keel.terminate()
    keel.wait()

    def summary(latencies, failures):
        if not latencies:
            return f"0 ok, {failures} failed"
        return f"{len(latencies)} ok, {failures} failed, p50 {statistics.median(latencies):.1f} ms, max {max(latencies):.1f} ms"

    print(f"flood: {opened:,} idle connections opened by 3 processes over {time.time() - flood_started:.0f} s; Keel's cap "
          f"{limit.group(1) if limit else '?'}; shed: {', '.join(f'{name} {count}' for name, count in shed) or 'none'}")
    print(f"  a well-behaved client (chat + /healthz on new connections): before {summary(before, failures_before)}")
    print(f"                                                           during {summary(during, failures_during)}")
    print(f"                                                            after {summary(after, failures_after)}")
    print(f"  Keel's open files: idle {idle_fds}, at the end of the flood {flood_fds}, after {after_fds}")
    print(f"  Keel's RSS: idle {idle_rss:.1f} MB, peak {peak:.1f} MB, after {after_rss:.1f} MB")
    return failures_during == 0 and failures_after == 0 and after_fds <= idle_fds + 8 and after_rss <= idle_rss * 1.5


# --- hostile upstreams ------------------------------------------------------------------------------

CHUNK = b'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"xxxxxxxxxxxxxxxx"}}]}\n\n'


async def hostile_upstream(reader, writer, mode):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(re.search(rb"(?i)content-length: (\d+)", head).group(1))
            await reader.readexactly(length)
            if mode == "silence":
                await asyncio.sleep(3600)
            if mode == "garbage":
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nnot an answ")
                await writer.drain()
                continue
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
            block = {"endless-line": b"data: " + b"x" * 65536, "enormous-body": b'{"choices":[' + b"{}," * 21000,
                     "endless-stream": CHUNK * 500}.get(mode, b" ")
            while True:
                writer.write(b"%x\r\n%s\r\n" % (len(block), block))
                await writer.drain()
                if mode == "drip":
                    await asyncio.sleep(1)
                if mode == "endless-line":
                    block = b"x" * 65536
    except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


def serve_hostile(port, mode):
    async def main():
        server = await asyncio.start_server(lambda r, w: hostile_upstream(r, w, mode), "127.0.0.1", port)
        async with server:
            await server.serve_forever()
    asyncio.run(main())


def measure_upstreams(args, folder):
    ok = True
    limits = "timeout_seconds: 10, idle_timeout_seconds: 2, max_response_bytes: 8388608, max_line_bytes: 1048576, max_stream_bytes: 16777216"
    print(f"hostile upstreams (limits: {limits}; route budget 20 s), 20 requests each at concurrency 4:")
    for mode in ["garbage", "drip", "silence", "endless-line", "enormous-body", "endless-stream"]:
        upstream_port, port = free_port(), free_port()
        upstream = multiprocessing.Process(target=serve_hostile, args=(upstream_port, mode), daemon=True)
        upstream.start()
        time.sleep(0.3)
        providers = f"  up: {{ type: openai, base_url: 'http://127.0.0.1:{upstream_port}/v1', {limits} }}"
        keel = start_keel(args.keel, folder, port, providers, "  gpt-test: { model: chat, max_attempts: 1, latency_budget_ms: 20000 }",
                          "models:\n  chat: { provider: up }")
        idle = rss_mb(keel.pid)
        sampler = Sampler(keel.pid)
        sampler.start()
        outcomes, times, lock = {}, [], threading.Lock()

        def call(index):
            stream = index % 2 == 1
            body = json.dumps({"model": "gpt-test", "stream": stream, "messages": [{"role": "user", "content": "hi"}]}).encode()
            started = time.time()
            try:
                status, data = request(port, "POST", "/v1/chat/completions", body, timeout=60)
                text = data.decode(errors="replace")
                code = re.findall(r'"code":"([a-z_]+)"', text)
                outcome = f"{status} {code[-1] if code else '?'}"
            except OSError as error:
                outcome = f"no answer ({error.__class__.__name__})"
            with lock:
                outcomes[outcome] = outcomes.get(outcome, 0) + 1
                times.append(time.time() - started)

        threads = [threading.Thread(target=lambda i=i: [call(i * 5 + j) for j in range(5)]) for i in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        peak = sampler.stop()
        alive = keel.poll() is None
        keel.terminate()
        keel.wait()
        upstream.terminate()
        clean = alive and all(not outcome.startswith(("no answer", "500")) for outcome in outcomes)
        ok = ok and clean and max(times) < 21
        print(f"  {mode:15} {', '.join(f'{count}× {outcome}' for outcome, count in sorted(outcomes.items()))}; slowest {max(times):.1f} s; "
              f"RSS idle {idle:.1f} MB, peak {peak:.1f} MB (+{peak - idle:.1f}){'' if alive else '; KEEL DIED'}")
    return ok


# --- a 60 MB stream ---------------------------------------------------------------------------------


async def big_stream_upstream(reader, writer, megabytes):
    content = "y" * 16_000
    chunk = ("data: " + json.dumps({"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m",
                                     "choices": [{"index": 0, "delta": {"content": content}}]}) + "\n\n").encode()
    small = ("data: " + json.dumps({"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m",
                                     "choices": [{"index": 0, "delta": {"content": "ok"}, "finish_reason": "stop"}]}) + "\n\ndata: [DONE]\n\n").encode()
    answer = json.dumps({"id": "c", "object": "chat.completion", "created": 1, "model": "m", "usage": {"prompt_tokens": 3, "completion_tokens": 1},
                         "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}]}).encode()
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(re.search(rb"(?i)content-length: (\d+)", head).group(1))
            body = await reader.readexactly(length)
            if b'"stream":true' not in body.replace(b" ", b""):
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(answer), answer))
                await writer.drain()
                continue
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
            if b"big stream" in body:
                for _ in range(megabytes * 1_000_000 // len(content)):
                    writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    await writer.drain()
                writer.write(b"%x\r\n%s\r\n" % (len(small), small))
            else:
                writer.write(b"%x\r\n%s\r\n" % (len(small), small))
            writer.write(b"0\r\n\r\n")
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


def serve_big_stream(port, megabytes):
    async def main():
        server = await asyncio.start_server(lambda r, w: big_stream_upstream(r, w, megabytes), "127.0.0.1", port)
        async with server:
            await server.serve_forever()
    asyncio.run(main())


def read_stream(port, body):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    connection.request("POST", "/v1/chat/completions", body=body, headers={"Content-Type": "application/json", "Authorization": f"Bearer {KEY}"})
    response = connection.getresponse()
    total, last = 0, b""
    while True:
        piece = response.read(1 << 16)
        if not piece:
            break
        total += len(piece)
        last = (last + piece)[-64:]
    connection.close()
    if response.status != 200:
        print(f"  the stream was answered {response.status}: {last!r}")
    return total, b"[DONE]" in last


def measure_stream(args, folder):
    upstream_port = free_port()
    upstream = multiprocessing.Process(target=serve_big_stream, args=(upstream_port, args.megabytes), daemon=True)
    upstream.start()
    time.sleep(0.3)
    providers = f"  up: {{ type: openai, base_url: 'http://127.0.0.1:{upstream_port}/v1', max_stream_bytes: 268435456, timeout_seconds: 600 }}"
    keels = {}
    for bodies in ["none", "full"]:
        port = free_port()
        process = start_keel(args.keel, folder, port, providers, "  gpt-test: chat", "models:\n  chat: { provider: up }",
                             log=f"{{ level: warning, bodies: {bodies} }}")
        keels[bodies] = (port, process)
    big = json.dumps({"model": "gpt-test", "stream": True, "messages": [{"role": "user", "content": "big stream"}]}).encode()
    small = json.dumps({"model": "gpt-test", "messages": [{"role": "user", "content": "small"}]}).encode()

    def small_latencies(port, stop):
        latencies = []
        while not stop.is_set():
            started = time.time()
            status, _ = request(port, "POST", "/v1/chat/completions", small)
            if status == 200:
                latencies.append((time.time() - started) * 1000)
            time.sleep(0.01)
        return latencies

    speeds = {"none": [], "full": []}
    latency_during = {"none": [], "full": []}
    quiet = {"none": [], "full": []}
    for _ in range(args.rounds):
        for bodies in ["none", "full"]:
            port, _ = keels[bodies]
            stop = threading.Event()
            results = []
            sampler_thread = threading.Thread(target=lambda: results.extend(small_latencies(port, stop)))
            deadline = time.time() + 2
            alone = []
            while time.time() < deadline:
                started = time.time()
                request(port, "POST", "/v1/chat/completions", small)
                alone.append((time.time() - started) * 1000)
            quiet[bodies].extend(alone)
            sampler_thread.start()
            started = time.time()
            total, done = read_stream(port, big)
            elapsed = time.time() - started
            stop.set()
            sampler_thread.join()
            speeds[bodies].append(total / elapsed / 1e6)
            latency_during[bodies].extend(results)
            if not done:
                print(f"  bodies {bodies}: the stream did not end with [DONE] ({total} bytes)")
    for bodies in ["none", "full"]:
        keels[bodies][1].terminate()
    upstream.terminate()
    none, full = statistics.median(speeds["none"]), statistics.median(speeds["full"])
    print(f"stream: {args.megabytes} MB streamed through Keel, medians of {args.rounds} alternating rounds")
    for bodies in ["none", "full"]:
        during = sorted(latency_during[bodies])
        alone = sorted(quiet[bodies])
        p99 = during[int(len(during) * 0.99) - 1] if during else float("nan")
        print(f"  log.bodies {bodies:4}: {statistics.median(speeds[bodies]):.1f} MB/s; another client's small requests: "
              f"p50 {statistics.median(alone):.2f} ms alone, {statistics.median(during) if during else float('nan'):.2f} ms during the stream "
              f"(p99 {p99:.2f} ms, {len(during)} requests)")
    print(f"  full / none: {full / none:.2f}x (must be >= 0.5x)")
    return full / none >= 0.5


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("parts", nargs="*", default=["fuzz", "flood", "upstreams", "stream"])
    parser.add_argument("--keel", default=".build/release/keel")
    parser.add_argument("--bodies", type=int, default=100_000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--seed", type=int, default=21)
    parser.add_argument("--connections", type=int, default=21_000)
    parser.add_argument("--flood-seconds", type=int, default=20)
    parser.add_argument("--megabytes", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    resource.setrlimit(resource.RLIMIT_NOFILE, (resource.getrlimit(resource.RLIMIT_NOFILE)[1],) * 2)
    held = {}
    with tempfile.TemporaryDirectory() as folder:
        for part in args.parts:
            held[part] = {"fuzz": measure_fuzz, "flood": measure_flood, "upstreams": measure_upstreams, "stream": measure_stream}[part](args, folder)
            print()
    for part, ok in held.items():
        print(f"{part}: {'holds' if ok else 'DOES NOT HOLD'}")
    sys.exit(0 if all(held.values()) else 1)


if __name__ == "__main__":
    main()
