#!/usr/bin/env bash
# Builds Keel in release mode and runs the gateway benchmark. Needs wrk (apt-get install wrk) and,
# for the side-by-side run, the LiteLLM proxy (pip install 'litellm[proxy]'); pass --no-litellm to skip it.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product keel
(cd bench/bare-proxy && swift build -c release)   # the second baseline: the same HTTP stack and provider, no pipeline stages
python3 bench/gateway_bench.py --keel .build/release/keel "$@"
