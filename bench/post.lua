-- wrk script: one chat completion per request, with the key from KEEL_BENCH_KEY and the model
-- from KEEL_BENCH_MODEL. With KEEL_BENCH_WORKFLOW_STEPS = N, every N requests of a thread are the
-- steps of one workflow (x-keel-workflow-id), named after KEEL_BENCH_RUN so runs never share one.
-- KEEL_BENCH_VARIABLES (a JSON object) is sent as the route's default prompt's variables;
-- KEEL_BENCH_CONTENT, when set, is the user message instead of the greeting. KEEL_BENCH_API says
-- in which API the same request is sent: chat (the default), responses (store: false), stored
-- (responses kept, each one a conversation of its own) or messages.
wrk.method = "POST"
local variables = os.getenv("KEEL_BENCH_VARIABLES") or ""
local content = os.getenv("KEEL_BENCH_CONTENT") or ""
if content == "" then content = "Say hello to the benchmark." end
local model = os.getenv("KEEL_BENCH_MODEL") or "gpt-4o-mini"
local api = os.getenv("KEEL_BENCH_API") or "chat"
if api == "responses" or api == "stored" then
    wrk.body = '{"model":"' .. model .. '","instructions":"You are terse.","input":"' .. content .. '","max_output_tokens":32,"store":'
        .. (api == "stored" and "true" or "false") .. '}'
elseif api == "messages" then
    wrk.body = '{"model":"' .. model .. '","system":"You are terse.","messages":[{"role":"user","content":"' .. content .. '"}],"max_tokens":32}'
else
    wrk.body = '{"model":"' .. model .. '","messages":[{"role":"system","content":"You are terse."},{"role":"user","content":"' .. content .. '"}],"max_tokens":32'
        .. (variables ~= "" and (',"variables":' .. variables) or "") .. '}'
end
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("KEEL_BENCH_KEY") or "none")

local steps = tonumber(os.getenv("KEEL_BENCH_WORKFLOW_STEPS") or "0")
local threads = 0

function setup(thread)
    thread:set("thread_id", threads)
    threads = threads + 1
end

if steps > 0 then
    local sent = 0
    request = function()
        local workflow = math.floor(sent / steps)
        sent = sent + 1
        wrk.headers["x-keel-workflow-id"] = "bench-" .. (os.getenv("KEEL_BENCH_RUN") or "0") .. "-" .. thread_id .. "-" .. workflow
        return wrk.format()
    end
end
