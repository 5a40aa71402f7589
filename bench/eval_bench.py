#!/usr/bin/env python3
"""Keel's evaluation benchmark: 1,000 cases at concurrency 32 through the real pipeline against the
simulator, run by `keel eval run` in process. In one run, alternating, a dataset whose cases name the
prompt's variables (the prompt stage renders two messages and three variables) and a dataset of the same
conversations already written out (no prompt). Prints, for each, the harness's own time per case (building
the request, scoring, storing the result) beside the pipeline's, and the throughput ratio of the two.

Usage: python3 bench/eval_bench.py [--keel .build/release/keel] [--cases 1000] [--concurrency 32] [--rounds 3]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

CONFIG = """
storage: { path: keel.sqlite }
log: { level: error }
providers:
  sim: { type: simulated, seed: 3, latency: { p50_ms: 2, p99_ms: 8 }, tokens_per_second: 0, output_tokens: { min: 8, max: 16 } }
models:
  m: { provider: sim, price: { input: 0.15, output: 0.6 } }
routes:
  support: { model: m, max_attempts: 1 }
"""

PROMPT = """
name: support-reply
messages:
  - { role: system, content: "You answer {{product}} customers in {{language}}. Be brief and precise." }
  - { role: user, content: "Ticket: {{ticket}}" }
variables: { product: string, language: string, ticket: string }
"""


def messages(case):
    v = case["variables"]
    return [
        {"role": "system", "content": f"You answer {v['product']} customers in {v['language']}. Be brief and precise."},
        {"role": "user", "content": f"Ticket: {v['ticket']}"},
    ]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--keel", default=".build/release/keel")
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    keel = os.path.abspath(args.keel)
    folder = tempfile.mkdtemp(prefix="keel-eval-bench-")

    def run(*command):
        done = subprocess.run([keel, *command], cwd=folder, capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(f"keel {' '.join(command)} failed:\n{done.stderr}{done.stdout}")
        return done.stdout

    with open(os.path.join(folder, "keel.yaml"), "w") as file:
        file.write(CONFIG)
    with open(os.path.join(folder, "prompt.yaml"), "w") as file:
        file.write(PROMPT)
    products = ["Keel", "Harbour", "Mooring"]
    languages = ["English", "French", "German", "Spanish"]
    cases = [
        {
            "id": f"c{i:04d}",
            "variables": {"product": products[i % 3], "language": languages[i % 4], "ticket": f"Order {i} arrived damaged; refund or replace?"},
            "expected": "refund",
            "category": ["billing", "shipping", "other"][i % 3],
            "risk_tier": "high" if i % 10 == 0 else "low",
        }
        for i in range(args.cases)
    ]
    with open(os.path.join(folder, "prompted.jsonl"), "w") as file:
        file.writelines(json.dumps(case) + "\n" for case in cases)
    with open(os.path.join(folder, "plain.jsonl"), "w") as file:
        for case in cases:
            plain = {key: value for key, value in case.items() if key != "variables"}
            plain["messages"] = messages(case)
            file.write(json.dumps(plain) + "\n")
    run("prompts", "push", "prompt.yaml")
    run("datasets", "import", "--name", "prompted", "prompted.jsonl")
    run("datasets", "import", "--name", "plain", "plain.jsonl")

    figures = {"prompt": [], "no prompt": []}
    for _ in range(args.rounds):
        for variant, extra in [("prompt", ["--prompt", "support-reply@1", "--dataset", "prompted"]), ("no prompt", ["--dataset", "plain"])]:
            out = run("eval", "run", "--route", "support", "--scorer", "contains", "--concurrency", str(args.concurrency), "--quiet", "--json", *extra)
            report = json.loads(out)
            timing = report["timing"]
            if report["overall"]["cases"] != args.cases or report["overall"]["errors"]:
                sys.exit(f"{variant}: {report['overall']}")
            figures[variant].append(timing)

    print(f"{args.cases} cases at concurrency {args.concurrency}, {args.rounds} rounds each, simulator p50 2 ms (medians of the rounds)")
    print(f"{'':>10} {'cases/s':>9} {'wall s':>8} {'pipeline ms/case':>17} {'harness ms/case':>16} {'harness/pipeline':>17}")
    medians = {}
    for variant, runs in figures.items():
        wall = statistics.median(t["wall_ms"] for t in runs) / 1000
        pipeline = statistics.median(t["pipeline_ms_mean"] for t in runs)
        harness = statistics.median(t["harness_ms_mean"] for t in runs)
        medians[variant] = (args.cases / wall, pipeline, harness)
        print(f"{variant:>10} {args.cases / wall:>9.0f} {wall:>8.2f} {pipeline:>17.3f} {harness:>16.3f} {harness / pipeline:>17.3f}")
    print(
        f"with a prompt / without: throughput {medians['prompt'][0] / medians['no prompt'][0]:.3f}, "
        f"pipeline time {medians['prompt'][1] / medians['no prompt'][1]:.3f}"
    )


if __name__ == "__main__":
    main()
