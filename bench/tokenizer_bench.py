#!/usr/bin/env python3
"""Keel's tokenizer against OpenAI's tiktoken on the same corpus in one run: tokens per second of each
(one thread, one document at a time), their ratio, and whether every count agrees.

The corpus: this repository's Swift sources and Markdown, split in paragraphs, plus the tokenizer
fixture's texts (Unicode, emoji, code, whitespace, numbers), repeated to about 4 MB.

Usage: TIKTOKEN_CACHE_DIR=/tmp/tiktoken-cache python3 bench/tokenizer_bench.py [--keel .build/release/keel]
Needs `pip install tiktoken`; scripts/tiktoken_cache.py fills its cache from the shipped rank files.
"""

import argparse
import glob
import json
import os
import re
import subprocess
import time

import tiktoken

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def corpus():
    documents = []
    for path in sorted(glob.glob(os.path.join(ROOT, "Sources", "**", "*.swift"), recursive=True) + glob.glob(os.path.join(ROOT, "*.md"))):
        with open(path, encoding="utf-8") as file:
            documents += [part for part in re.split(r"\n\s*\n", file.read()) if part.strip()]
    with open(os.path.join(ROOT, "Tests", "KeelTests", "Fixtures", "tiktoken-counts.jsonl"), encoding="utf-8") as file:
        documents += [json.loads(line)["text"] for line in file]
    size = sum(len(document.encode()) for document in documents)
    return documents * max(1, 4_000_000 // size)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--keel", default=os.path.join(ROOT, ".build", "release", "keel"))
    args = parser.parse_args()
    documents = corpus()
    payload = "".join(json.dumps({"text": document}) + "\n" for document in documents).encode()
    print(f"Tokenizer benchmark: {len(documents)} documents, {len(payload) / 1e6:.1f} MB of JSON lines, one thread")
    for name in ("o200k_base", "cl100k_base"):
        encoding = tiktoken.get_encoding(name)
        encoding.encode_ordinary("warm up")
        started = time.perf_counter()
        expected = [len(encoding.encode_ordinary(document)) for document in documents]
        tiktoken_seconds = time.perf_counter() - started

        result = subprocess.run([args.keel, "tokens", "--encoding", name, "--jsonl", "--timing"], input=payload, capture_output=True, check=True)
        counts = [int(line) for line in result.stdout.decode().split()]
        keel_seconds = float(re.search(r"in ([\d.e-]+) s", result.stderr.decode()).group(1))
        tokens = sum(expected)
        agree = counts == expected
        print(
            f"  {name:<12} tiktoken {tokens / tiktoken_seconds / 1e6:6.2f} M tokens/s   keel {tokens / keel_seconds / 1e6:6.2f} M tokens/s   "
            f"keel/tiktoken {tiktoken_seconds / keel_seconds:5.2f}×   counts {'all equal' if agree else 'DIFFER'}"
        )


if __name__ == "__main__":
    main()
