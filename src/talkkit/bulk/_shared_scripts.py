"""
The Lua scripts of a shared (Redis) job: each one atomic, on the server's clock.

Why Lua with a sorted set of leases rather than Streams with a consumer group and XAUTOCLAIM:
a claim, its fence and the item's journal state must be read and changed *together*. Marking an
item pending succeeds only while the marker still holds the row's lease (checked on Redis'
clock), so a worker whose lease ran out can never send after another worker took the row over;
the one that takes it over then reads the key's ``pending`` state in the same server timeline
and looks the item up instead of sending it. A Stream would hold the queue and the claims, but
the fence and the journal would still need a script, and rows would be loaded by a separate,
non-idempotent ``XADD``. Scripts also keep what talkkit asks of Redis to what the shared rate
limit already needs (``EVALSHA``, any Redis ≥ 5, redis-py ≥ 5).

The keys of one job (all under one hash tag, so a cluster keeps them on one node):

- ``meta``: kind, scope, input fingerprint, lease; the loader's id and deadline, the load
  cursor, ``loaded`` and ``total`` once every row is in.
- ``claims``: sorted set, row index → lease deadline (server seconds; 0 = free). A row is in it
  until it has its outcome; a deadline in the past means anyone may take it.
- ``owner``: row index → the worker holding its lease. ``rows``: row index → the raw row (JSON).
- ``keys``: item key → the row that owns it (job-wide dedupe of the input).
- ``items``: item key → its journal entry (state, id, code, message, attempts, updated).
- ``out``: row index → its outcome (JSON); ``counts``: outcome → rows.
- ``procs``: sorted set, worker → heartbeat deadline.
"""

from __future__ import annotations

__all__ = ["KEYS", "SCRIPTS"]

KEYS = ("meta", "claims", "owner", "rows", "keys", "items", "out", "counts", "procs")
"""The job's keys, in the order every script receives them (``KEYS[1]`` … ``KEYS[9]``)."""

_PRELUDE = """
local meta, claims, owner, rows, keys, items, out, counts, procs =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9]
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local function f(x) return string.format('%.6f', x) end
local function holds(i, me)
  local s = redis.call('ZSCORE', claims, i)
  return s and tonumber(s) > now and redis.call('HGET', owner, i) == me
end
"""

# ARGV: kind, scope, fingerprint, lease. Returns {'ok'} or {'other', kind, scope, fingerprint}.
_OPEN = (
    _PRELUDE
    + """
local have = redis.call('HMGET', meta, 'kind', 'scope', 'fingerprint')
if not have[1] then
  redis.call('HSET', meta, 'kind', ARGV[1], 'scope', ARGV[2], 'fingerprint', ARGV[3],
             'lease', ARGV[4], 'cursor', '0', 'created', f(now))
  return {'ok'}
end
if have[1] ~= ARGV[1] or have[2] ~= ARGV[2] or (ARGV[3] ~= '' and have[3] ~= ARGV[3]) then
  return {'other', have[1], have[2], have[3]}
end
return {'ok'}
"""
)

# ARGV: me, lease. Returns {loaded, cursor, got the loader's lease (1/0)}.
_LOADER = (
    _PRELUDE
    + """
local m = redis.call('HMGET', meta, 'loaded', 'cursor', 'loader', 'loader_until')
if m[1] == '1' then return {1, tonumber(m[2]), 0} end
if m[3] == ARGV[1] or not m[3] or tonumber(m[4]) < now then
  redis.call('HSET', meta, 'loader', ARGV[1], 'loader_until', f(now + tonumber(ARGV[2])))
  return {0, tonumber(m[2]), 1}
end
return {0, tonumber(m[2]), 0}
"""
)

# ARGV: key1, index1, key2, index2... Each key's owning row: -1 when it is this row (now or
# from an earlier, interrupted load of the same chunk), else the earlier row's index.
_DEDUPE = (
    _PRELUDE
    + """
local res = {}
for n = 1, #ARGV, 2 do
  local v = redis.call('HGET', keys, ARGV[n])
  if not v then
    redis.call('HSET', keys, ARGV[n], ARGV[n + 1])
    res[#res + 1] = -1
  elseif v == ARGV[n + 1] then
    res[#res + 1] = -1
  else
    res[#res + 1] = tonumber(v)
  end
end
return res
"""
)

# ARGV: me, lease, from, to, final (1/0), queued count q, then q × (index, raw), then
# (index, outcome, json) triples of rows decided while loading. Fenced by the loader's lease
# and the cursor, so a chunk is committed exactly once. Returns 1, or 0 when fenced off.
_COMMIT = (
    _PRELUDE
    + """
local m = redis.call('HMGET', meta, 'loader', 'cursor', 'loaded')
if m[3] == '1' or m[1] ~= ARGV[1] or m[2] ~= ARGV[3] then return 0 end
local q = tonumber(ARGV[6])
local n = 7
for _ = 1, q do
  redis.call('ZADD', claims, 0, ARGV[n])
  redis.call('HSET', rows, ARGV[n], ARGV[n + 1])
  n = n + 2
end
while n <= #ARGV do
  if redis.call('HSETNX', out, ARGV[n], ARGV[n + 2]) == 1 then
    redis.call('HINCRBY', counts, ARGV[n + 1], 1)
  end
  n = n + 3
end
redis.call('HSET', meta, 'cursor', ARGV[4], 'loader_until', f(now + tonumber(ARGV[2])))
if ARGV[5] == '1' then redis.call('HSET', meta, 'loaded', '1', 'total', ARGV[4]) end
return 1
"""
)

# ARGV: me, how many, lease. Takes free rows and rows whose lease ran out.
# Returns {loaded, open rows, rows leased to others, seconds to the next deadline, i1, raw1...}.
_CLAIM = (
    _PRELUDE
    + """
local lease = tonumber(ARGV[3])
redis.call('ZADD', procs, f(now + lease), ARGV[1])
local got = redis.call('ZRANGEBYSCORE', claims, '-inf', f(now), 'LIMIT', 0, tonumber(ARGV[2]))
local res = {redis.call('HGET', meta, 'loaded') == '1' and 1 or 0,
             redis.call('ZCARD', claims), 0, '-1'}
for _, i in ipairs(got) do
  redis.call('ZADD', claims, f(now + lease), i)
  redis.call('HSET', owner, i, ARGV[1])
  res[#res + 1] = i
  res[#res + 1] = redis.call('HGET', rows, i) or ''
end
if #got == 0 and res[2] > 0 then
  local others = 0
  for _, i in ipairs(redis.call('ZRANGE', claims, 0, -1)) do
    if redis.call('HGET', owner, i) ~= ARGV[1] then others = others + 1 end
  end
  res[3] = others
  local first = redis.call('ZRANGE', claims, 0, 0, 'WITHSCORES')
  res[4] = f(math.max(tonumber(first[2]) - now, 0))
end
return res
"""
)

# ARGV: me, lease, i1, i2... Extends this worker's leases and heartbeat; returns the rows it
# no longer holds (finished by another worker, or taken over after its lease ran out).
_RENEW = (
    _PRELUDE
    + """
local deadline = f(now + tonumber(ARGV[2]))
redis.call('ZADD', procs, deadline, ARGV[1])
local lost = {}
for n = 3, #ARGV do
  local i = ARGV[n]
  if redis.call('HGET', owner, i) == ARGV[1] and redis.call('ZSCORE', claims, i) then
    redis.call('ZADD', claims, deadline, i)
  else
    lost[#lost + 1] = i
  end
end
return lost
"""
)

# The journal's writes, applied in queue order: ARGV = me, then 7 fields per operation:
#   P index key at            mark pending, fenced by the row's lease (1: may send, 0: lost)
#   R key state id code message at   record an outcome; done/skipped are never weakened
#   F key                     withdraw a pending mark
#   O index outcome json      the row's outcome (first one wins; done upgrades unknown and
#                             not_placed, the truth a late answer brings)
#   X index                   release the row (its lease now free: not sent, or interrupted)
_APPLY = (
    _PRELUDE
    + """
local function upsert(key, state, rid, code, msg, attempts, at)
  local old = redis.call('HGET', items, key)
  if old then
    local e = cjson.decode(old)
    if e[1] == 'done' or e[1] == 'skipped' then return end
    if rid == '' then rid = e[2] end
    attempts = attempts + tonumber(e[5])
  end
  redis.call('HSET', items, key, cjson.encode({state, rid, code, msg, tostring(attempts), at}))
end
local me = ARGV[1]
local res = {}
for n = 2, #ARGV, 7 do
  local op, a, b, c, d, e, g = ARGV[n], ARGV[n + 1], ARGV[n + 2], ARGV[n + 3], ARGV[n + 4],
    ARGV[n + 5], ARGV[n + 6]
  local r = 1
  if op == 'P' then
    if holds(a, me) then upsert(b, 'pending', '', '', '', 1, c) else r = 0 end
  elseif op == 'R' then
    upsert(a, b, c, d, e, 0, g)
  elseif op == 'F' then
    local old = redis.call('HGET', items, a)
    if old and cjson.decode(old)[1] == 'pending' then redis.call('HDEL', items, a) end
  elseif op == 'O' then
    if redis.call('ZREM', claims, a) == 1 then
      redis.call('HDEL', owner, a)
      redis.call('HDEL', rows, a)
      redis.call('HSET', out, a, c)
      redis.call('HINCRBY', counts, b, 1)
    elseif b == 'done' then
      local old = redis.call('HGET', out, a)
      local was = old and cjson.decode(old)['outcome']
      if was == 'unknown' or was == 'not_placed' then
        redis.call('HSET', out, a, c)
        redis.call('HINCRBY', counts, was, -1)
        redis.call('HINCRBY', counts, b, 1)
      end
    else
      r = 0
    end
  elseif op == 'X' then
    if redis.call('HGET', owner, a) == me and redis.call('ZSCORE', claims, a) then
      redis.call('ZADD', claims, 0, a)
      redis.call('HDEL', owner, a)
    end
  end
  res[#res + 1] = r
end
return res
"""
)

# ARGV: me. Leaves the job. Returns {complete (1/0), last (1/0): no other live worker}.
_LEAVE = (
    _PRELUDE
    + """
redis.call('ZREM', procs, ARGV[1])
redis.call('ZREMRANGEBYSCORE', procs, '-inf', f(now))
local complete = redis.call('HGET', meta, 'loaded') == '1' and redis.call('ZCARD', claims) == 0
return {complete and 1 or 0, redis.call('ZCARD', procs) == 0 and 1 or 0}
"""
)

# Returns {meta as a flat list, open rows, leased rows, live workers}.
_STATUS = (
    _PRELUDE
    + """
return {redis.call('HGETALL', meta), redis.call('ZCARD', claims),
        redis.call('ZCOUNT', claims, '(' .. f(now), '+inf'),
        redis.call('ZCOUNT', procs, '(' .. f(now), '+inf')}
"""
)

SCRIPTS = {
    "open": _OPEN,
    "loader": _LOADER,
    "dedupe": _DEDUPE,
    "commit": _COMMIT,
    "claim": _CLAIM,
    "renew": _RENEW,
    "apply": _APPLY,
    "leave": _LEAVE,
    "status": _STATUS,
}
