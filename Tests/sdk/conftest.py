"""Starts a real `keel serve` process for the SDK tests and stops it with SIGTERM afterwards.

On SQLite in a temporary folder, or on the PostgreSQL database `KEEL_SDK_DATABASE_URL` names
(`.ci/run` runs the tests on both)."""

import json
import os
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request

import pytest

KEY = "sk-keel-sdk-test-key-0123456789abcdefghij"

CONFIG = """
server: {{ port: {port} }}
storage: {storage}
log: {{ level: warning }}
providers:
  sim:
    type: simulated
    latency: {{ p50_ms: 1, p99_ms: 5 }}
    tokens_per_second: 0
    output_tokens: {{ min: 10, max: 10 }}
models:
  mini: {{ provider: sim, price: {{ input: 0.15, output: 0.6 }} }}
  embed: {{ provider: sim, kind: embedding }}
routes:
  gpt-4o-mini: mini
  text-embedding-3-small: embed
keys:
  sdk: {{ role: app, secret_env: KEEL_SDK_KEY }}
"""


def sse_events(url: str, body: dict, headers: dict) -> list:
    """POSTs `body` and reads the answer as server-sent events: a list of (event name, data text)."""
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json", **headers}, method="POST"
    )
    events = []
    with urllib.request.urlopen(request, timeout=30) as response:
        name = None
        for line in response.read().decode().split("\n"):
            if line.startswith("event: "):
                name = line[len("event: "):]
            elif line.startswith("data: "):
                events.append((name, line[len("data: "):]))
                name = None
    return events


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def keel():
    binary = os.environ.get("KEEL_BIN", ".build/debug/keel")
    folder = tempfile.mkdtemp(prefix="keel-sdk-")
    port = free_port()
    if os.environ.get("KEEL_SDK_DATABASE_URL"):
        storage = "{ driver: postgres, url_env: KEEL_SDK_DATABASE_URL }"
    else:
        storage = "{ path: %s }" % os.path.join(folder, "keel.sqlite")
    config = os.path.join(folder, "keel.yaml")
    with open(config, "w") as file:
        file.write(CONFIG.format(port=port, storage=storage))
    process = subprocess.Popen(
        [binary, "serve", "--config", config], env={**os.environ, "KEEL_SDK_KEY": KEY}
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=1)
            break
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(f"keel exited with {process.returncode}")
            time.sleep(0.05)
    else:
        process.kill()
        raise RuntimeError("keel did not start")
    # A key made by the CLI while the server runs: the server finds it in storage on first use.
    created = subprocess.run(
        [binary, "keys", "create", "--config", config, "--name", "cli", "--role", "app"],
        env={**os.environ, "KEEL_SDK_KEY": KEY}, capture_output=True, text=True, check=True,
    )
    cli_key = created.stdout.strip()
    assert cli_key.startswith("sk-keel-") and "Keel stores only its hash" in created.stderr
    state = {"base_url": f"{base}/v1", "key": KEY, "cli_key": cli_key, "sent": 0}
    yield state
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0, "keel must exit cleanly on SIGTERM"
    # Everything accepted before SIGTERM is in the log after it.
    listed = subprocess.run(
        [binary, "logs", "--config", config, "-n", "100000", "--json"],
        env={**os.environ, "KEEL_SDK_KEY": KEY}, capture_output=True, text=True, check=True,
    )
    logged = len(listed.stdout.splitlines())
    assert logged == state["sent"], f"{state['sent']} requests sent, {logged} logged"
