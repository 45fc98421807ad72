-- Tarantool's own net.box client, the reference peer of `npm run bench -- tarantool`.
--
-- Run by the `tarantool` binary as a plain script (no box.cfg): `tarantool netbox-client.lua <mode>` with the
-- config as JSON in the BENCH_CONFIG environment variable (see bench/tarantool/common.ts, ClientConfig).
--
--   mode `bench`: for each op, one checked request, then `concurrency` fibers that each issue requests back to
--     back over ONE net.box connection (net.box pipelines the requests of all fibers), a warm-up, then a timed
--     window measured with clock.monotonic(). Prints one JSON report line on stdout.
--   mode `eval`: evaluates config.eval (Lua source) on the server and prints {"ok":true,"result":<first return
--     value>} (setup, truncation, server version).

local clock = require('clock')
local ffi = require('ffi')
local fiber = require('fiber')
local fio = require('fio')
local json = require('json')
local net_box = require('net.box')

ffi.cdef('long sysconf(int name);')
local PAGE_SIZE = tonumber(ffi.C.sysconf(30)) -- _SC_PAGESIZE
local MiB = 1024 * 1024
local SPACE = 'bench'
local INSERT_SPACE = 'bench_insert'
local SELECT_SQL = 'SELECT "id", "name", "value" FROM "bench" WHERE "id" = ?'

local function emit(value)
  io.stdout:write(json.encode(value), '\n')
  io.stdout:flush()
end

local function finish(value, code)
  emit(value)
  -- Without box.cfg the process would otherwise keep running the event loop (net.box worker fibers).
  os.exit(code or 0)
end

local function rss_bytes()
  local f = io.open('/proc/self/statm', 'r')
  if f == nil then return 0 end
  local line = f:read('*l')
  f:close()
  local resident = line and line:match('^%d+%s+(%d+)')
  return resident and tonumber(resident) * PAGE_SIZE or 0
end

local function read_file(path)
  local f = io.open(path, 'r')
  if f == nil then return nil end
  local text = f:read('*a')
  f:close()
  return text
end

-- CPU seconds of a process (all threads) and of its main thread (TX for a Tarantool server), from each
-- thread's schedstat (nanoseconds on CPU).
local function process_cpu_seconds(pid)
  local total, main = 0, 0
  for _, task in ipairs(fio.listdir('/proc/' .. pid .. '/task') or {}) do
    local schedstat = read_file('/proc/' .. pid .. '/task/' .. task .. '/schedstat')
    local ns = schedstat and tonumber(schedstat:match('^(%d+)'))
    if ns ~= nil then
      total = total + ns / 1e9
      if task == tostring(pid) then main = ns / 1e9 end
    end
  end
  return {total = total, main = main}
end

local function bench_tuple(id)
  return {id, 'name-' .. id, id + 0.5}
end

local function same(a, b)
  return json.encode(a) == json.encode(b)
end

local mode = arg[1] or 'bench'
local config = json.decode(os.getenv('BENCH_CONFIG') or '{}')
local report = {
  client = 'net.box',
  version = 'net.box (tarantool ' .. _TARANTOOL .. ')',
  results = setmetatable({}, {__serialize = 'array'}),
}

local ok, conn = pcall(net_box.connect, config.host .. ':' .. config.port, {
  user = config.user,
  password = config.password,
  wait_connected = true,
})
if not ok or not conn:is_connected() then
  report.error = 'connect failed: ' .. tostring(ok and conn.error or conn)
  finish(report, 1)
end

if mode == 'eval' then
  local eval_ok, value = pcall(conn.eval, conn, config.eval)
  if not eval_ok then finish({ok = false, error = tostring(value)}, 1) end
  conn:close()
  finish({ok = true, result = value})
end

local rows = config.rows
local space = conn.space[SPACE]
local insert_space = conn.space[INSERT_SPACE]

-- One request per op; seq counts from 0 per op, keys derive from it exactly as in the Node clients.
local run = {
  ping = function() return conn:ping() end,
  select = function(seq) return space:select({seq % rows + 1}) end,
  sql = function(seq) return conn:execute(SELECT_SQL, {seq % rows + 1}) end,
  insert = function(seq) return insert_space:insert(bench_tuple(seq + 1)) end,
}

local checks = {
  ping = function()
    if conn:ping() ~= true then error('ping returned false') end
  end,
  select = function()
    local got = space:select({7})
    if #got ~= 1 or not same(got[1]:totable(), bench_tuple(7)) then error('select returned ' .. json.encode(got)) end
  end,
  sql = function()
    local got = conn:execute(SELECT_SQL, {7})
    if not same(got.rows, {bench_tuple(7)}) then error('sql returned ' .. json.encode(got)) end
  end,
  insert = function()
    local got = insert_space:insert(bench_tuple(0))
    if not same(got:totable(), bench_tuple(0)) then error('insert returned ' .. json.encode(got)) end
  end,
}

local function measure(op)
  local result = {op = op, requests = 0, seconds = 0, rps = 0, cpuUsPerRequest = 0, rssBeforeMiB = 0, rssPeakMiB = 0}
  local check_ok, check_err = pcall(checks[op])
  if not check_ok then
    result.error = 'check failed: ' .. tostring(check_err)
    return result
  end

  local request = run[op]
  local seq = 0
  local done = 0
  local stopped = false
  local failure = nil
  local running = 0
  local all_stopped = fiber.cond()

  local function loop()
    while not stopped do
      local n = seq
      seq = seq + 1
      local call_ok, err = pcall(request, n)
      if not call_ok then
        failure = failure or tostring(err)
        stopped = true
        break
      end
      done = done + 1
    end
    running = running - 1
    if running == 0 then all_stopped:signal() end
  end

  collectgarbage('collect')
  result.rssBeforeMiB = rss_bytes() / MiB
  local rss_peak, heap_peak = 0, 0
  local function sample()
    rss_peak = math.max(rss_peak, rss_bytes())
    heap_peak = math.max(heap_peak, collectgarbage('count') * 1024)
  end
  sample()
  fiber.create(function()
    while not stopped do
      sample()
      fiber.sleep(0.05)
    end
  end)

  for _ = 1, config.concurrency do
    running = running + 1
    fiber.create(loop)
  end
  fiber.sleep(config.warmupMs / 1000)
  local server0 = config.serverPid and process_cpu_seconds(config.serverPid)
  local cpu0 = os.clock()
  local t0 = clock.monotonic()
  local done0 = done
  fiber.sleep(config.durationMs / 1000)
  local done1 = done
  local t1 = clock.monotonic()
  local cpu = os.clock() - cpu0
  local server1 = config.serverPid and process_cpu_seconds(config.serverPid)
  stopped = true
  while running > 0 do all_stopped:wait(1) end
  sample()

  result.requests = done1 - done0
  result.seconds = t1 - t0
  result.rps = result.requests / result.seconds
  result.cpuUsPerRequest = result.requests > 0 and cpu * 1e6 / result.requests or 0
  result.rssPeakMiB = rss_peak / MiB
  result.heapPeakMiB = heap_peak / MiB
  if server0 and server1 then
    result.serverCpuPct = 100 * (server1.total - server0.total) / result.seconds
    result.serverTxPct = 100 * (server1.main - server0.main) / result.seconds
  end
  result.error = failure
  return result
end

for _, op in ipairs(config.ops) do
  table.insert(report.results, measure(op))
end
conn:close()
finish(report)
