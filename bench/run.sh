#!/usr/bin/env bash
# Builds Keel in release mode and runs the gateway benchmark. Needs wrk (apt-get install wrk) and,
# for the side-by-side run, the LiteLLM proxy (pip install 'litellm[proxy]'); pass --no-litellm to skip it.
# With nginx installed (apt-get install nginx-light), the floor section also measures nginx.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product keel
(cd bench/bare-proxy && swift build -c release)   # the baselines: the same HTTP stack and provider with no pipeline stages, and the floor
python3 bench/gateway_bench.py --keel .build/release/keel "$@"
