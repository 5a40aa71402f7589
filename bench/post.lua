-- wrk script: one chat completion per request, with the key from KEEL_BENCH_KEY and the model
-- from KEEL_BENCH_MODEL.
wrk.method = "POST"
wrk.body = '{"model":"' .. (os.getenv("KEEL_BENCH_MODEL") or "gpt-4o-mini") .. '","messages":[{"role":"system","content":"You are terse."},{"role":"user","content":"Say hello to the benchmark."}],"max_tokens":32}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("KEEL_BENCH_KEY") or "none")
