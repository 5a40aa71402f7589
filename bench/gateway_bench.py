#!/usr/bin/env python3
"""Keel's gateway benchmark: the same wrk load against a fixed-response upstream alone, through Keel,
and through the LiteLLM proxy, in one run; prints throughput, latency and Keel's ratios.

Usage: python3 bench/gateway_bench.py [--duration 10] [--keel .build/release/keel] [--no-litellm]
"""

import argparse
import http.server
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
KEY = "sk-keel-bench-key-0123456789abcdefghijklmn"
LITELLM_KEY = "sk-litellm-bench-master-key-0123456789"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_ready(url, process, timeout=120, any_status=False):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            sys.exit(f"{url}: process exited with {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except urllib.error.HTTPError as error:
            if any_status:
                return
            time.sleep(0.1)
        except Exception:
            time.sleep(0.1)
    sys.exit(f"{url} did not become ready")


def to_microseconds(text):
    value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 1, "ms": 1000, "s": 1_000_000}[unit]


# The user message of the redaction benchmark: three values a detector must find, in a sentence.
PII_MESSAGE = "Please mail ana.silva@example.com or call +44 20 7946 0958 about the charge on card 4111 1111 1111 1111."


def wrk(url, connections, duration, key=KEY, model="gpt-4o-mini", workflow_steps=0, variables="", content="", api="chat"):
    threads = 1 if connections == 1 else 2
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", "-s", os.path.join(HERE, "post.lua"), url]
    environment = {
        **os.environ, "KEEL_BENCH_KEY": key, "KEEL_BENCH_MODEL": model,
        "KEEL_BENCH_WORKFLOW_STEPS": str(workflow_steps), "KEEL_BENCH_RUN": str(time.time_ns()), "KEEL_BENCH_VARIABLES": variables,
        "KEEL_BENCH_CONTENT": content, "KEEL_BENCH_API": api,
    }
    output = subprocess.run(command, capture_output=True, text=True, env=environment, check=True).stdout
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))}
    result["requests"] = int(re.search(r"(\d+) requests in", output).group(1))
    for percentile in ("50", "99"):
        result[f"p{percentile}"] = to_microseconds(re.search(rf"^\s+{percentile}%\s+(\S+)", output, re.M).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    result["errors"] = int(errors.group(1)) if errors else 0
    return result


def protobuf_fields(data):
    """The (field number, bytes) of a protobuf message's length-delimited fields; others are skipped."""
    position = 0
    while position < len(data):
        key, position = varint(data, position)
        number, kind = key >> 3, key & 7
        if kind == 2:
            length, position = varint(data, position)
            yield number, data[position:position + length]
            position += length
        elif kind == 0:
            _, position = varint(data, position)
        else:
            position += {1: 8, 5: 4}[kind]


def varint(data, position):
    value = shift = 0
    while True:
        byte = data[position]
        position += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, position


def count_spans(export):
    """Spans in an OTLP ExportTraceServiceRequest: resource_spans (1) → scope_spans (2) → spans (2)."""
    return sum(
        1
        for _, resource in protobuf_fields(export) if _ == 1
        for number, scope in protobuf_fields(resource) if number == 2
        for field, _span in protobuf_fields(scope) if field == 2
    )


def median_of(results):
    """Each figure's median over several runs of wrk."""
    return {name: statistics.median(result[name] for result in results) for name in results[0]}


class TraceSink(http.server.BaseHTTPRequestHandler):
    """An OTLP/HTTP collector that keeps every export, to count its spans after the run."""

    exports = []

    def do_POST(self):
        TraceSink.exports.append(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


PROMPT = """
name: bench
messages:
  - role: system
    content: "You answer for {{product}}, briefly.{{#rules}} Rule: {{.}}.{{/rules}}"
  - role: user
    content: "Context: {{context}}"
variables:
  product: string
  context: string
  rules: { type: array, required: false }
"""
VARIABLES = '{"product":"Keel","context":"a benchmark of the prompt stage","rules":["be terse","no lists"]}'


def keel_environment(viewer_key=None, database_url=None):
    """The secrets and database URL the configurations of `start_keel` read."""
    return {**os.environ, "KEEL_BENCH_KEY": KEY, "KEEL_BENCH_VIEWER_KEY": viewer_key or KEY + "-viewer", "KEEL_BENCH_DATABASE_URL": database_url or ""}


def start_keel(binary, folder, name, port, upstream_url, extra="", viewer_key=None, database_url=None):
    """A Keel on the plain route only, with `extra` configuration and, if given, a viewer key; its storage is
    `{folder}/{name}.sqlite`, or the PostgreSQL database at `database_url`."""
    config = os.path.join(folder, f"{name}.yaml")
    storage = "{ driver: postgres, url_env: KEEL_BENCH_DATABASE_URL }" if database_url else f"{{ path: {folder}/{name}.sqlite }}"
    with open(config, "w") as file:
        file.write(f"""
server: {{ port: {port} }}
storage: {storage}
log: {{ level: error }}
providers:
  upstream: {{ type: openai, base_url: "{upstream_url}" }}
models:
  mini: {{ provider: upstream, upstream_model: sim, context_window: 128000, price: {{ input: 0.15, output: 0.6 }} }}
routes:
  gpt-4o-mini: mini
  gpt-4o-mini-budgeted: mini
budgets:
  - {{ route: gpt-4o-mini-budgeted, window: day, limit_usd: 1000000 }}
keys:
  bench: {{ role: app, secret_env: KEEL_BENCH_KEY }}
  dashboard: {{ role: viewer, secret_env: KEEL_BENCH_VIEWER_KEY }}
{extra}
""")
    process = subprocess.Popen([binary, "serve", "--config", config], env=keel_environment(viewer_key, database_url))
    wait_ready(f"http://127.0.0.1:{port}/healthz", process)
    return process


def start_nginx(folder, name, port, location, upstream=None):
    """nginx (Debian's package) on `port` with one `location /` block and, if given, an upstream `keel` with idle
    connections kept alive, or None when nginx is not installed."""
    binary = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    if not binary:
        return None
    prefix = os.path.join(folder, name)
    os.makedirs(prefix, exist_ok=True)
    with open(os.path.join(prefix, "nginx.conf"), "w") as file:
        file.write(f"""
worker_processes 1;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {prefix}; proxy_temp_path {prefix}; fastcgi_temp_path {prefix}; uwsgi_temp_path {prefix}; scgi_temp_path {prefix};
  {f"upstream keel {{ server {upstream}; keepalive 64; }}" if upstream else ""}
  server {{ listen 127.0.0.1:{port}; location / {{ {location} }} }}
}}
""")
    process = subprocess.Popen([binary, "-p", prefix, "-e", f"{prefix}/error.log", "-c", f"{prefix}/nginx.conf"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_ready(f"http://127.0.0.1:{port}/", process, any_status=True)
    return process


def measure_floors(args, folder, processes, upstream_url, keel_url, bare_url):
    """c=1 alternating rounds against the upstream alone, servers answering a fixed body (nginx if installed, NIO's
    channel handlers, Hummingbird) and proxies to the upstream (nginx, Keel's provider on NIO, on Hummingbird, Keel)."""
    request = urllib.request.Request(
        f"{upstream_url}/chat/completions", method="POST", headers={"Content-Type": "application/json"},
        data=b'{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Say hello to the benchmark."}],"max_tokens":32}',
    )
    body = urllib.request.urlopen(request).read().decode()
    body_file = os.path.join(folder, "fixed.json")
    with open(body_file, "w") as file:
        file.write(body)
    targets = []

    def start(name, process, port):
        if process:
            processes.append(process)
            targets.append((name, f"http://127.0.0.1:{port}/v1/chat/completions"))

    def start_baseline(name, server, kind, argument):
        port = free_port()
        process = subprocess.Popen([args.bare_proxy, server, kind, str(port), argument], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_ready(f"http://127.0.0.1:{port}/", process, any_status=True)
        start(name, process, port)

    escaped = body.replace("\\", "\\\\").replace("'", "\\'")
    port = free_port()
    start("fixed body: nginx", start_nginx(folder, "nginx-fixed", port, f"default_type application/json; return 200 '{escaped}';"), port)
    if bare_url:
        start_baseline("fixed body: NIO channel handlers", "nio", "fixed", body_file)
        start_baseline("fixed body: Hummingbird", "hummingbird", "fixed", body_file)
    targets.append(("upstream alone", f"{upstream_url}/chat/completions"))
    port = free_port()
    proxy = 'proxy_pass http://keel; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_buffering off;'
    upstream_address = upstream_url.removeprefix("http://").removesuffix("/v1")
    start("proxy: nginx", start_nginx(folder, "nginx-proxy", port, proxy, upstream_address), port)
    if bare_url:
        start_baseline("proxy: Keel's provider on NIO channel handlers", "nio", "proxy", upstream_url)
        targets.append(("proxy: Keel's provider on Hummingbird (bare-proxy)", bare_url))
    targets.append(("Keel (the whole pipeline, request log on)", keel_url))
    for _, url in targets:
        wrk(url, 1, 1)  # warm-up
    rounds = [[wrk(url, 1, args.duration) for _, url in targets] for _ in range(args.rounds)]
    return [(name, median_of([run[index] for run in rounds])) for index, (name, _) in enumerate(targets)]


def peak_rss_mb(pid):
    with open(f"/proc/{pid}/status") as status:
        return int(re.search(r"VmHWM:\s+(\d+) kB", status.read()).group(1)) / 1024


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds of upstream alone and through Keel")
    parser.add_argument("--bare-proxy", default="bench/bare-proxy/.build/release/bare-proxy", help="the bare proxy baseline, if built")
    parser.add_argument("--keel", default=".build/release/keel")
    parser.add_argument("--litellm", default=shutil.which("litellm") or "", help="the litellm executable")
    parser.add_argument("--no-litellm", action="store_true")
    parser.add_argument(
        "--postgres-url", default=os.environ.get("KEEL_BENCH_POSTGRES_URL", ""),
        help="an empty PostgreSQL database: measures Keel on it against Keel on SQLite (the postgres variant)",
    )
    parser.add_argument(
        "--variants", default="floors,guarded,budgeted,workflow,prompted,monitored,contracted,redacted,responses,stored,messages,observed,postgres",
        help="which variants to measure: the floor (server and proxy hops of other kinds), stage variants against the plain "
        "route, observed (metrics and traces) against neither, and postgres (with --postgres-url) against SQLite",
    )
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="keel-bench-")
    processes = []
    try:
        upstream_port, keel_port = free_port(), free_port()
        upstream = subprocess.Popen([args.keel, "simulate", "--port", str(upstream_port), "--output-tokens", "16"], stdout=subprocess.DEVNULL)
        processes.append(upstream)
        upstream_url = f"http://127.0.0.1:{upstream_port}/v1"
        wait_ready(f"{upstream_url}/models", upstream)

        config = os.path.join(folder, "keel.yaml")
        with open(config, "w") as file:
            file.write(f"""
server: {{ port: {keel_port} }}
storage: {{ path: {folder}/keel.sqlite }}
log: {{ level: error }}
providers:
  upstream: {{ type: openai, base_url: "{upstream_url}" }}
models:
  mini: {{ provider: upstream, upstream_model: sim, context_window: 128000, price: {{ input: 0.15, output: 0.6 }} }}
  mini-b: {{ provider: upstream, upstream_model: sim, context_window: 128000, price: {{ input: 0.15, output: 0.6 }} }}
routes:
  gpt-4o-mini: mini
  # The same upstream behind every reliability feature: a deadline, a fallback, the degradation cache.
  gpt-4o-mini-guarded:
    model: mini
    fallbacks: [mini-b]
    latency_budget_ms: 30000
    degrade: {{ cache_ttl_seconds: 60 }}
  # The same upstream under a budget: every request reserves its worst case and settles its cost.
  gpt-4o-mini-budgeted: mini
  # The same upstream behind a registered prompt, rendered with the request's variables.
  gpt-4o-mini-prompted: {{ model: mini, prompt: bench@production }}
  # The same upstream with a drift monitor: every finished request's features, its content's among them,
  # rolled up into its window.
  gpt-4o-mini-monitored: {{ model: mini, drift: {{ window: {{ minutes: 1 }}, features: [input_tokens, output_tokens, latency_ms, cost_usd, finish_reason, model, input_script, refusal, json_valid, metadata.segment] }} }}
  # The prompted route with an input contract over its variables, risk rules that leave the case low,
  # and a review policy such cases never meet.
  gpt-4o-mini-contracted:
    model: mini
    prompt: bench@production
    contract:
      input: variables
      quarantine: true
      maps: {{ products: {{ keel: Keel }} }}
      fields: {{ product: [{{ map: products }}], context: [lower] }}
      schema: {{ type: object, required: [product, context], properties: {{ product: {{ enum: [Keel] }}, context: {{ type: string, maxLength: 500 }} }} }}
    risk:
      values: {{ blocked: [fraud, chargeback] }}
      high: ['context contains_any blocked', 'product == "Other"']
      medium: ['context contains "refund"']
    review: {{ wait_seconds: 20, category: product, validate: {{ rules: ['answer != null'] }} }}
  # The same upstream with a PII policy: every value found is sent as a placeholder and restored in the answer.
  gpt-4o-mini-redacted: {{ model: mini, pii: {{ actions: {{ default: redact-upstream }} }} }}
budgets:
  - {{ route: gpt-4o-mini-budgeted, window: day, limit_usd: 1000000, soft_usd: 999999 }}
keys:
  bench: {{ role: app, secret_env: KEEL_BENCH_KEY }}
""")
        # The prompt behind gpt-4o-mini-prompted: two messages with three variables, one of them a section.
        prompt_file = os.path.join(folder, "bench-prompt.yaml")
        with open(prompt_file, "w") as file:
            file.write(PROMPT)
        for command in (["prompts", "push", prompt_file], ["prompts", "label", "bench", "1", "production"]):
            subprocess.run([args.keel, *command, "--config", config], env={**os.environ, "KEEL_BENCH_KEY": KEY}, check=True, stdout=subprocess.DEVNULL)
        keel = subprocess.Popen([args.keel, "serve", "--config", config], env={**os.environ, "KEEL_BENCH_KEY": KEY})
        processes.append(keel)
        keel_url = f"http://127.0.0.1:{keel_port}"
        wait_ready(f"{keel_url}/healthz", keel)

        # The same HTTP stack and provider with no pipeline stages (bench/bare-proxy), when built: what the stack costs.
        bare_url, bare_rows = None, []
        if os.path.exists(args.bare_proxy):
            bare_port = free_port()
            bare = subprocess.Popen([args.bare_proxy, "hummingbird", "proxy", str(bare_port), upstream_url], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            processes.append(bare)
            bare_url = f"http://127.0.0.1:{bare_port}/v1/chat/completions"
            wait_ready(f"http://127.0.0.1:{bare_port}/health", bare, any_status=True)

        rows = []
        for connections in (1, 32):
            wrk(f"{keel_url}/v1/chat/completions", connections, 2)  # warm-up
            # Alternating rounds, each figure the median of its rounds: one noisy round moves nothing.
            targets = [f"{upstream_url}/chat/completions", f"{keel_url}/v1/chat/completions"] + ([bare_url] if bare_url else [])
            rounds = [[wrk(url, connections, args.duration) for url in targets] for _ in range(args.rounds)]
            figures = [median_of([run[index] for run in rounds]) for index in range(len(targets))]
            rows.append((connections, figures[0], figures[1]))
            if bare_url:
                bare_rows.append((connections, figures[2]))
        # What a server hop and a proxy hop cost on this machine, whatever the gateway: the floor under Keel's figures.
        floors = measure_floors(args, folder, processes, upstream_url, f"{keel_url}/v1/chat/completions", bare_url) if "floors" in args.variants.split(",") else []

        # Each stage variant against the plain route, measured back to back.
        variants = {
            "guarded": "The reliability stage on the happy path: a latency budget, a fallback and the cache",
            "budgeted": "The budget stage on the happy path: a reservation and a settlement a request",
            "workflow": "Workflow steps (10 a workflow): context rebuilt from storage, the step committed before the answer",
            "prompted": "The prompt stage: a registered prompt resolved and rendered with three variables before the caller's messages",
            "monitored": "A drift monitor: each finished request's features, its content's too, rolled up into its window (judged apart, every 15 s)",
            "contracted": "An input contract (steps, value map, JSON Schema) and risk rules over the prompt's variables",
            "redacted": "PII redacted upstream: an email, a phone number and a card in each message sent as placeholders, restored in the answer",
            "responses": "The Responses API (store: false): the same request read from its body and answered as a response object",
            "stored": "The Responses API, kept: each response a conversation's first turn (a workflow step) and kept before it is answered",
            "messages": "Anthropic's Messages API: the same request read from its body and answered as a message",
        }
        variants = {name: title for name, title in variants.items() if name in args.variants.split(",")}
        stages = []
        for variant in variants:
            for connections in (1, 32):
                # Alternating pairs, each figure the median of its rounds, as for the upstream and Keel above.
                pairs = []
                for _ in range(args.rounds):
                    # The contract's baseline is the same prompt without it, so that only the contract and rules differ.
                    if variant == "contracted":
                        plain = wrk(f"{keel_url}/v1/chat/completions", connections, args.duration, model="gpt-4o-mini-prompted", variables=VARIABLES)
                    elif variant == "redacted":
                        plain = wrk(f"{keel_url}/v1/chat/completions", connections, args.duration, content=PII_MESSAGE)
                    else:
                        plain = wrk(f"{keel_url}/v1/chat/completions", connections, args.duration)
                    if variant == "workflow":
                        other = wrk(f"{keel_url}/v1/chat/completions", connections, args.duration, workflow_steps=10)
                    elif variant == "redacted":
                        other = wrk(f"{keel_url}/v1/chat/completions", connections, args.duration, model="gpt-4o-mini-redacted", content=PII_MESSAGE)
                    elif variant in ("prompted", "contracted"):
                        other = wrk(f"{keel_url}/v1/chat/completions", connections, args.duration, model=f"gpt-4o-mini-{variant}", variables=VARIABLES)
                    elif variant in ("responses", "stored"):
                        other = wrk(f"{keel_url}/v1/responses", connections, args.duration, api=variant)
                    elif variant == "messages":
                        other = wrk(f"{keel_url}/v1/messages", connections, args.duration, api=variant)
                    else:
                        other = wrk(f"{keel_url}/v1/chat/completions", connections, args.duration, model=f"gpt-4o-mini-{variant}")
                    pairs.append((plain, other))
                stages.append((variant, connections, median_of([plain for plain, _ in pairs]), median_of([other for _, other in pairs])))
        rss = peak_rss_mb(keel.pid)

        # Storage: a Keel on PostgreSQL against one on SQLite, the plain route and a budgeted one (a reservation
        # and a settlement in the database a request), in alternating rounds.
        backends = []
        if "postgres" in args.variants.split(",") and args.postgres_url:
            keel.send_signal(signal.SIGSTOP)  # paused while the pair is measured
            sqlite_port, postgres_port = free_port(), free_port()
            on_sqlite = start_keel(args.keel, folder, "on-sqlite", sqlite_port, upstream_url)
            processes.append(on_sqlite)
            on_postgres = start_keel(args.keel, folder, "on-postgres", postgres_port, upstream_url, database_url=args.postgres_url)
            processes.append(on_postgres)
            served = 0
            for model in ("gpt-4o-mini", "gpt-4o-mini-budgeted"):
                for connections in (1, 32):
                    wrk(f"http://127.0.0.1:{sqlite_port}/v1/chat/completions", connections, 2, model=model)  # warm-ups
                    served += wrk(f"http://127.0.0.1:{postgres_port}/v1/chat/completions", connections, 2, model=model)["requests"]
                    pairs = []
                    for _ in range(args.rounds):
                        lite = wrk(f"http://127.0.0.1:{sqlite_port}/v1/chat/completions", connections, args.duration, model=model)
                        pg = wrk(f"http://127.0.0.1:{postgres_port}/v1/chat/completions", connections, args.duration, model=model)
                        served += pg["requests"]
                        pairs.append((lite, pg))
                    backends.append((model, connections, median_of([lite for lite, _ in pairs]), median_of([pg for _, pg in pairs])))
            time.sleep(2)  # the request log's last batch
            totals = subprocess.run(
                [args.keel, "cost", "--config", os.path.join(folder, "on-postgres.yaml"), "--by", "day", "--json"],
                env=keel_environment(database_url=args.postgres_url), capture_output=True, text=True, check=True,
            )
            logged = json.loads(totals.stdout)["total"]["requests"]
            for process in (on_sqlite, on_postgres):
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=60)
                processes.remove(process)
            keel.send_signal(signal.SIGCONT)

        # Metrics and traces: a Keel with both (spans to a local collector) against one with neither.
        observability = []
        if "observed" in args.variants.split(","):
            sink = http.server.ThreadingHTTPServer(("127.0.0.1", 0), TraceSink)
            threading.Thread(target=sink.serve_forever, daemon=True).start()
            keel.send_signal(signal.SIGSTOP)  # paused while the pair is measured
            bare_port, observed_port = free_port(), free_port()
            bare = start_keel(args.keel, folder, "bare", bare_port, upstream_url, "metrics: { enabled: false }")
            processes.append(bare)
            tracing = f'tracing: {{ endpoint: "http://127.0.0.1:{sink.server_address[1]}" }}'
            observed = start_keel(args.keel, folder, "observed", observed_port, upstream_url, tracing)
            processes.append(observed)
            traced_requests = 0
            for connections in (1, 32):
                traced_requests += wrk(f"http://127.0.0.1:{observed_port}/v1/chat/completions", connections, 2)["requests"]  # warm-up
                neither = wrk(f"http://127.0.0.1:{bare_port}/v1/chat/completions", connections, args.duration)
                both = wrk(f"http://127.0.0.1:{observed_port}/v1/chat/completions", connections, args.duration)
                observability.append((connections, neither, both))
            observed.send_signal(signal.SIGTERM)  # its last spans are flushed on the way out
            observed.wait(timeout=60)
            processes.remove(observed)
            traced_requests += sum(both["requests"] for _, _, both in observability)
            keel.send_signal(signal.SIGCONT)
            sink.shutdown()

        print(f"\nKeel gateway benchmark ({args.duration}s per run, median of {args.rounds} alternating rounds, wrk, loopback, {os.cpu_count()} cores)")
        print(f"{'c':>3} {'target':<10} {'req/s':>10} {'p50 µs':>9} {'p99 µs':>9} {'non-2xx':>8}")
        for connections, alone, through in rows:
            for name, result in (("upstream", alone), ("keel", through)):
                print(f"{connections:>3} {name:<10} {result['rps']:>10.0f} {result['p50']:>9.0f} {result['p99']:>9.0f} {result['errors']:>8}")
            print(
                f"    Keel adds p50 {through['p50'] - alone['p50']:.0f} µs, p99 {through['p99'] - alone['p99']:.0f} µs; "
                f"throughput ratio keel/upstream {through['rps'] / alone['rps']:.2f}"
            )
        print(f"    Keel peak RSS: {rss:.1f} MB")
        if bare_rows:
            print("\nThe same HTTP stack and provider with no pipeline stages (bench/bare-proxy)")
            for connections, bare in bare_rows:
                alone, through = next((alone, through) for c, alone, through in rows if c == connections)
                print(
                    f"{connections:>3} bare proxy {bare['rps']:.0f} req/s, p50 {bare['p50']:.0f} µs: the stack adds {bare['p50'] - alone['p50']:.0f} µs, "
                    f"Keel's pipeline {through['p50'] - bare['p50']:.0f} µs more; throughput keel/bare {through['rps'] / bare['rps']:.2f}"
                )
        for variant, title in variants.items():
            print(f"\n{title}, against the {'prompted' if variant == 'contracted' else 'plain'} route")
            for name, connections, plain, other in stages:
                if name != variant:
                    continue
                print(
                    f"{connections:>3} plain p50 {plain['p50']:.0f} µs, {variant} p50 {other['p50']:.0f} µs: adds {other['p50'] - plain['p50']:.0f} µs "
                    f"(p99 {other['p99'] - plain['p99']:.0f} µs); throughput {variant}/plain {other['rps'] / plain['rps']:.2f}"
                )

        if backends:
            print("\nPostgreSQL against SQLite as Keel's storage (the same upstream, alternating rounds)")
            for model, connections, lite, pg in backends:
                print(
                    f"{connections:>3} {model:<21} SQLite {lite['rps']:>6.0f} req/s p50 {lite['p50']:>5.0f} µs, PostgreSQL {pg['rps']:>6.0f} req/s "
                    f"p50 {pg['p50']:>5.0f} µs: p50 {pg['p50'] - lite['p50']:+.0f} µs, throughput postgres/sqlite {pg['rps'] / lite['rps']:.2f}"
                )
            print(f"    requests served on PostgreSQL {served}, in its request log {logged}")

        if floors:
            print("\nThe floor at c=1 on this machine: one server hop answering a fixed body, and what a proxy of each kind adds")
            alone = next(result for name, result in floors if name == "upstream alone")
            for name, result in floors:
                added = f"  adds p50 {result['p50'] - alone['p50']:>4.0f} µs, p99 {result['p99'] - alone['p99']:>5.0f} µs" if name.startswith(("proxy", "Keel")) else ""
                failed = f"  ({result['errors']:.0f} non-2xx)" if result["errors"] else ""
                print(f"    {name:<48} p50 {result['p50']:>5.0f} µs  p99 {result['p99']:>5.0f} µs{added}{failed}")

        if observability:
            print("\nMetrics and traces (OTLP to a local collector) against neither, and their share of Keel's added latency")
            for connections, neither, both in observability:
                added = next(through["p50"] - alone["p50"] for c, alone, through in rows if c == connections)
                cost = both["p50"] - neither["p50"]
                print(
                    f"{connections:>3} neither p50 {neither['p50']:.0f} µs, both p50 {both['p50']:.0f} µs: adds {cost:.0f} µs "
                    f"= {100 * cost / added:.0f}% of Keel's {added:.0f} µs; throughput both/neither {both['rps'] / neither['rps']:.2f}"
                )
            spans = sum(count_spans(export) for export in TraceSink.exports)
            print(f"    spans received {spans} of {2 * traced_requests} (two for each of {traced_requests} requests)")

        if not args.no_litellm and args.litellm:
            litellm_port = free_port()
            litellm_config = os.path.join(folder, "litellm.yaml")
            with open(litellm_config, "w") as file:
                file.write(f"""
model_list:
  - model_name: gpt-4o-mini
    litellm_params: {{ model: openai/sim, api_base: "{upstream_url}", api_key: unused }}
general_settings: {{ master_key: "{LITELLM_KEY}" }}
""")
            litellm = subprocess.Popen(
                [args.litellm, "--config", litellm_config, "--port", str(litellm_port), "--num_workers", "1"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
            processes.append(litellm)
            keel.send_signal(signal.SIGSTOP)  # paused while LiteLLM is measured
            wait_ready(f"http://127.0.0.1:{litellm_port}/health/liveliness", litellm, timeout=300)
            wrk(f"http://127.0.0.1:{litellm_port}/v1/chat/completions", 32, 2, key=LITELLM_KEY)
            lite = wrk(f"http://127.0.0.1:{litellm_port}/v1/chat/completions", 32, args.duration, key=LITELLM_KEY)
            # Neither gateway runs while the other is measured.
            litellm.send_signal(signal.SIGTERM)
            litellm.wait(timeout=30)
            processes.remove(litellm)
            keel.send_signal(signal.SIGCONT)
            wrk(f"{keel_url}/v1/chat/completions", 32, 2)  # the same warm-up LiteLLM had
            keel32 = wrk(f"{keel_url}/v1/chat/completions", 32, args.duration)
            print(f"\nSide by side at c=32 on the same upstream (LiteLLM proxy, 1 worker):")
            for name, result in (("litellm", lite), ("keel", keel32)):
                print(f"    {name:<8} {result['rps']:>10.0f} req/s  p50 {result['p50']:>8.0f} µs  p99 {result['p99']:>8.0f} µs  non-2xx {result['errors']}")
            print(f"    throughput keel/litellm: {keel32['rps'] / max(lite['rps'], 1e-9):.1f}×")
    finally:
        for process in reversed(processes):
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
