#!/usr/bin/env python3
"""How often a drift monitor cries wolf, and how fast it sees a real shift: synthetic traffic of a chat
route (token counts, latency, cost, finish reasons, models), replayed through `keel drift replay` at the
default settings. Prints the share of alerting windows on stationary traffic over several seeds, and for
each kind of shift the windows from its onset to the first alert.

Usage: python3 bench/drift_replay.py [--keel .build/release/keel] [--seeds 10] [--windows 100] [--size 500]
"""

import argparse
import json
import math
import os
import random
import subprocess
import sys
import tempfile

BASELINE = 24  # the default trailing baseline, in windows


def window(number, size, rng, shift):
    rows = {"input_tokens": [], "output_tokens": [], "latency_ms": [], "cost_usd": [], "finish_reason": [], "model": [], "prompt_version": []}
    for _ in range(size):
        tokens_in = int(math.exp(6 + 0.5 * rng.gauss(0, 1)) * shift.get("input", 1))
        tokens_out = int(math.exp(4 + 0.6 * rng.gauss(0, 1)) * shift.get("output", 1))
        rows["input_tokens"].append(tokens_in)
        rows["output_tokens"].append(tokens_out)
        rows["latency_ms"].append((200 + tokens_out * 12 * math.exp(0.3 * rng.gauss(0, 1))) * shift.get("latency", 1))
        rows["cost_usd"].append(tokens_in * 0.15e-6 + tokens_out * 0.6e-6)
        length = shift.get("length_share", 0.07)
        draw = rng.random()
        rows["finish_reason"].append("length" if draw < length else "content_filter" if draw < length + 0.01 else "stop")
        rows["model"].append("sim-large" if rng.random() < shift.get("large_share", 0.3) else "sim-mini")
        rows["prompt_version"].append("3")
    return {"window": number, "columns": rows}


def replay(keel, config, windows):
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as file:
        for line in windows:
            file.write(json.dumps(line) + "\n")
    done = subprocess.run([keel, "drift", "replay", "--config", config, "--route", "chat", file.name], capture_output=True, text=True)
    os.unlink(file.name)
    if done.returncode != 0:
        sys.exit(done.stderr + done.stdout)
    return [json.loads(line) for line in done.stdout.splitlines()]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--keel", default=".build/release/keel")
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--windows", type=int, default=100)
    parser.add_argument("--size", type=int, default=500)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="keel-drift-")
    config = os.path.join(folder, "keel.yaml")
    with open(config, "w") as file:
        file.write("providers: { sim: { type: simulated } }\nmodels: { m: { provider: sim } }\nroutes: { chat: m }\n")
    keel = os.path.abspath(args.keel)

    alerting = judged = 0
    for seed in range(args.seeds):
        rng = random.Random(seed)
        lines = replay(keel, config, [window(n, args.size, rng, {}) for n in range(BASELINE + args.windows)])
        judged += sum(1 for line in lines if line["state"] != "baseline")
        alerting += sum(1 for line in lines if line["alerts"])
    print(f"stationary: {alerting} alerting windows in {judged} ({alerting / judged:.2%}), {args.seeds} seeds of {args.windows} windows of {args.size} requests")

    onset = BASELINE + 20
    for name, shift in [("input tokens +15%", {"input": 1.15}), ("output tokens +15%", {"output": 1.15}), ("latency +20%", {"latency": 1.2}),
                        ("finish_reason length 7% -> 12%", {"length_share": 0.12}), ("model sim-large 30% -> 36%", {"large_share": 0.36})]:
        delays = []
        for seed in range(args.seeds):
            rng = random.Random(1000 + seed)
            windows = [window(n, args.size, rng, shift if n >= onset else {}) for n in range(onset + 12)]
            lines = replay(keel, config, windows)
            caught = next((line for line in lines if line["alerts"] and line["window"] >= onset), None)
            early = any(line["alerts"] for line in lines if line["window"] < onset)
            delays.append(None if caught is None else caught["window"] - onset + 1)
            if early:
                delays[-1] = f"{delays[-1]} (and a false alarm before)"
        print(f"{name}: windows from onset to alert, per seed: {delays}")


if __name__ == "__main__":
    main()
