-- wrk script: one chat completion per request, with the key from KEEL_BENCH_KEY.
wrk.method = "POST"
wrk.body = '{"model":"gpt-4o-mini","messages":[{"role":"system","content":"You are terse."},{"role":"user","content":"Say hello to the benchmark."}],"max_tokens":32}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("KEEL_BENCH_KEY") or "none")
