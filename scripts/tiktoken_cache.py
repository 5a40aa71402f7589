#!/usr/bin/env python3
"""Fills a tiktoken cache folder from the rank files Keel ships, so that the `tiktoken` package works
offline: tiktoken looks for each file under the sha1 of its download URL in TIKTOKEN_CACHE_DIR.

    python3 scripts/tiktoken_cache.py /tmp/tiktoken-cache
    export TIKTOKEN_CACHE_DIR=/tmp/tiktoken-cache
"""

import hashlib
import os
import shutil
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
URL = "https://openaipublic.blob.core.windows.net/encodings/{}.tiktoken"


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else "/tmp/tiktoken-cache"
    os.makedirs(folder, exist_ok=True)
    for name in ("o200k_base", "cl100k_base"):
        source = os.path.join(ROOT, "Sources", "KeelTokenizer", "Resources", f"{name}.tiktoken")
        shutil.copyfile(source, os.path.join(folder, hashlib.sha1(URL.format(name).encode()).hexdigest()))
    print(f"export TIKTOKEN_CACHE_DIR={folder}")


if __name__ == "__main__":
    main()
