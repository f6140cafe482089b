#!/usr/bin/env bash
# Whole-system load benchmark of the Tiyi data plane.
#
# Starts a local nginx upstream (127.0.0.1:19101) and a Tiyi node (admin 127.0.0.1:18190,
# data plane 127.0.0.1:18100), creates one site proxying to the upstream, then runs wrk against
# the upstream directly and through Tiyi with the same parameters and prints a comparison.
#
# Env: DURATION (default 20s), CONNECTIONS (default 64), THREADS (default 2).
# Exit status is non-zero when the run through Tiyi had socket errors or non-2xx/3xx responses.
set -euo pipefail

DURATION="${DURATION:-20s}"
CONNECTIONS="${CONNECTIONS:-64}"
THREADS="${THREADS:-2}"
WARMUP="5s"

UPSTREAM_ADDR="127.0.0.1:19101"
ADMIN_ADDR="127.0.0.1:18190"
HTTP_ADDR="127.0.0.1:18100"
SITE_HOST="bench.local"
UPSTREAM_BODY="ok"

root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
tiyi="$root/bin/tiyi"

. "$(dirname "$(readlink -f "$0")")/lib.sh"

# --- tools -----------------------------------------------------------------------------------


command -v wrk >/dev/null 2>&1 || { log "installing wrk"; apt_install wrk; }
nginx_bin="$(command -v nginx 2>/dev/null || true)"
[ -z "$nginx_bin" ] && [ -x /usr/sbin/nginx ] && nginx_bin=/usr/sbin/nginx
if [ -z "$nginx_bin" ]; then
  log "installing nginx-light"
  apt_install nginx-light || apt_install nginx
  nginx_bin="$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)"
fi
command -v curl >/dev/null 2>&1 || { log "installing curl"; apt_install curl; }
command -v python3 >/dev/null 2>&1 || die "python3 is needed to summarise the results"

for a in "$UPSTREAM_ADDR" "$ADMIN_ADDR" "$HTTP_ADDR"; do
  port_free "$a" || die "$a is already in use"
done

# --- cleanup ---------------------------------------------------------------------------------

tmp="$(mktemp -d "${TMPDIR:-/tmp}/tiyi-bench.XXXXXX")"
nginx_pid=""
tiyi_pid=""

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_pid "$tiyi_pid" "tiyi" group
  stop_pid "$nginx_pid" "nginx"
  rm -rf "$tmp"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- upstream: nginx -------------------------------------------------------------------------

mkdir -p "$tmp/nginx/temp"
cat >"$tmp/nginx/nginx.conf" <<EOF
worker_processes 1;
daemon off;
master_process on;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  default_type text/plain;
  keepalive_requests 1000000;
  keepalive_timeout 65s;
  client_body_temp_path $tmp/nginx/temp/body;
  proxy_temp_path $tmp/nginx/temp/proxy;
  fastcgi_temp_path $tmp/nginx/temp/fastcgi;
  uwsgi_temp_path $tmp/nginx/temp/uwsgi;
  scgi_temp_path $tmp/nginx/temp/scgi;
  server {
    listen $UPSTREAM_ADDR;
    location / { return 200 "$UPSTREAM_BODY\n"; }
  }
}
EOF
log "starting nginx upstream on $UPSTREAM_ADDR"
"$nginx_bin" -p "$tmp/nginx" -e "$tmp/nginx/error.log" -c "$tmp/nginx/nginx.conf" >"$tmp/nginx/stdout.log" 2>&1 &
nginx_pid=$!
for i in $(seq 1 50); do
  [ "$(curl -s "http://$UPSTREAM_ADDR/" 2>/dev/null || true)" = "$UPSTREAM_BODY" ] && break
  kill -0 "$nginx_pid" 2>/dev/null || { cat "$tmp/nginx/stdout.log" "$tmp/nginx/error.log" >&2 2>/dev/null || true; die "nginx exited"; }
  sleep 0.1
done
[ "$(curl -s "http://$UPSTREAM_ADDR/")" = "$UPSTREAM_BODY" ] || die "nginx upstream does not answer on $UPSTREAM_ADDR"

# --- Tiyi node -------------------------------------------------------------------------------

tiyi_log="$tmp/tiyi.log"
start_tiyi "$tiyi" "$ADMIN_ADDR" "$HTTP_ADDR" "$tmp/state" "$tiyi_log" 120
grep "ready on" "$tiyi_log" >&2

log "creating site bench ($SITE_HOST -> http://$UPSTREAM_ADDR)"
TIYI_STATE_DIR="$tmp/state" TIYI_API="http://$ADMIN_ADDR" \
  "$tiyi" sites create --name bench --host "$SITE_HOST" --upstream "http://$UPSTREAM_ADDR" --output table >&2
# The proxy alone: a new site's WAF runs in detect mode, which bench/waf-vs-modsecurity.sh measures.
TIYI_STATE_DIR="$tmp/state" TIYI_API="http://$ADMIN_ADDR" \
  "$tiyi" waf set --site bench --mode off --output table >&2
sleep 1
body=""
for i in $(seq 1 20); do
  body="$(curl -s -H "Host: $SITE_HOST" "http://$HTTP_ADDR/" || true)"
  [ "$body" = "$UPSTREAM_BODY" ] && break
  sleep 0.5
done
if [ "$body" != "$UPSTREAM_BODY" ]; then
  curl -sv -H "Host: $SITE_HOST" "http://$HTTP_ADDR/" >&2 || true
  tail -n 50 "$tiyi_log" >&2
  die "proxy check failed: expected '$UPSTREAM_BODY' through tiyi, got '$body'"
fi
log "proxy check OK"

# --- load ------------------------------------------------------------------------------------

wrk_args=(-t"$THREADS" -c"$CONNECTIONS" --latency)

log "warm-up through tiyi ($WARMUP)"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -H "Host: $SITE_HOST" "http://$HTTP_ADDR/" >"$tmp/wrk-warmup.txt" 2>&1 \
  || { cat "$tmp/wrk-warmup.txt" >&2; die "wrk warm-up failed"; }

site_counters "$ADMIN_ADDR" bench >"$tmp/metrics-before.txt"

log "wrk through tiyi: -t$THREADS -c$CONNECTIONS -d$DURATION"
wrk "${wrk_args[@]}" -d"$DURATION" -H "Host: $SITE_HOST" "http://$HTTP_ADDR/" >"$tmp/wrk-tiyi.txt" 2>&1 \
  || { cat "$tmp/wrk-tiyi.txt" >&2; die "wrk through tiyi failed"; }
site_counters "$ADMIN_ADDR" bench >"$tmp/metrics-after.txt"
echo "--- wrk through tiyi (http://$HTTP_ADDR/, Host: $SITE_HOST)"
cat "$tmp/wrk-tiyi.txt"

log "wrk direct to the upstream: -t$THREADS -c$CONNECTIONS -d$DURATION"
wrk "${wrk_args[@]}" -d"$DURATION" "http://$UPSTREAM_ADDR/" >"$tmp/wrk-direct.txt" 2>&1 \
  || { cat "$tmp/wrk-direct.txt" >&2; die "wrk direct failed"; }
echo "--- wrk direct (http://$UPSTREAM_ADDR/)"
cat "$tmp/wrk-direct.txt"

kill -0 "$tiyi_pid" 2>/dev/null || { tail -n 50 "$tiyi_log" >&2; die "tiyi died during the run"; }

# Warnings and errors the node logged (warm-up and measured run).
tiyi_problems="$(grep -cE '^(WARN|ERROR)|Exception' "$tiyi_log" || true)"
if [ "$tiyi_problems" -gt 0 ]; then
  echo "--- tiyi log: $tiyi_problems WARN/ERROR/exception line(s), first 20:"
  grep -E '^(WARN|ERROR)|Exception' "$tiyi_log" | head -n 20
fi

echo "--- tiyi responses during the measured run (its metrics, tiyi_proxy_site_bench_responses_*):"
python3 - "$tmp/metrics-before.txt" "$tmp/metrics-after.txt" <<'PY'
import sys
def read(p):
    out = {}
    for line in open(p):
        k, v = line.split()
        out[k.rsplit("_", 2)[-2]] = float(v)
    return out
b, a = read(sys.argv[1]), read(sys.argv[2])
print("  " + ", ".join(f"{k}: {int(a[k] - b.get(k, 0))}" for k in sorted(a)) if a else "  (no counters)")
PY
if grep -q "Non-2xx or 3xx" "$tmp/wrk-tiyi.txt"; then
  echo "--- a non-2xx response from tiyi, as logged in its access events:"
  TIYI_STATE_DIR="$tmp/state" TIYI_API="http://$ADMIN_ADDR" \
    "$tiyi" events list --type access --site bench --status 5xx --since 5m --limit 1 --output json 2>&1 | sed 's/^/  /' || true
fi
echo "--- $(grep -m1 'starting tiyi' "$tiyi_log" | sed 's/^INFO //')"

# --- summary ---------------------------------------------------------------------------------

python3 - "$tmp/wrk-direct.txt" "$tmp/wrk-tiyi.txt" "$THREADS" "$CONNECTIONS" "$DURATION" "$tiyi_problems" <<'PY'
import re, sys

def to_ms(v):
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", v)
    if not m:
        return None
    n, u = float(m.group(1)), m.group(2)
    return n * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[u]

def parse(path):
    text = open(path).read()
    r = {"rps": None, "p50": None, "p99": None, "requests": None,
         "sock": {"connect": 0, "read": 0, "write": 0, "timeout": 0}, "non2xx": 0}
    m = re.search(r"Requests/sec:\s+([\d.]+)", text)
    if m: r["rps"] = float(m.group(1))
    m = re.search(r"^\s+50%\s+(\S+)", text, re.M)
    if m: r["p50"] = to_ms(m.group(1))
    m = re.search(r"^\s+99%\s+(\S+)", text, re.M)
    if m: r["p99"] = to_ms(m.group(1))
    m = re.search(r"(\d+) requests in", text)
    if m: r["requests"] = int(m.group(1))
    m = re.search(r"Socket errors:\s*connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if m:
        r["sock"] = dict(zip(("connect", "read", "write", "timeout"), map(int, m.groups())))
    m = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", text)
    if m: r["non2xx"] = int(m.group(1))
    return r

d, t = parse(sys.argv[1]), parse(sys.argv[2])
threads, conns, dur, problems = sys.argv[3], sys.argv[4], sys.argv[5], int(sys.argv[6])

def sock(r):
    s = r["sock"]
    return f'{sum(s.values())} (connect {s["connect"]}, read {s["read"]}, write {s["write"]}, timeout {s["timeout"]})'

def fmt(v, f):
    return "n/a" if v is None else f.format(v)

print()
print(f"=== summary: wrk -t{threads} -c{conns} -d{dur} --latency")
print(f"{'':24}{'direct':>14}{'through tiyi':>16}")
print(f"{'requests':24}{fmt(d['requests'], '{:d}'):>14}{fmt(t['requests'], '{:d}'):>16}")
print(f"{'req/s':24}{fmt(d['rps'], '{:.0f}'):>14}{fmt(t['rps'], '{:.0f}'):>16}")
print(f"{'p50 latency (ms)':24}{fmt(d['p50'], '{:.2f}'):>14}{fmt(t['p50'], '{:.2f}'):>16}")
print(f"{'p99 latency (ms)':24}{fmt(d['p99'], '{:.2f}'):>14}{fmt(t['p99'], '{:.2f}'):>16}")
print(f"{'non-2xx/3xx responses':24}{d['non2xx']:>14}{t['non2xx']:>16}")
print(f"socket errors direct:     {sock(d)}")
print(f"socket errors tiyi:       {sock(t)}")
ratio = t["rps"] / d["rps"] if d["rps"] and t["rps"] is not None else None
print(f"ratio tiyi/direct:        {fmt(ratio, '{:.3f}')}")
print(f"tiyi log WARN/ERROR:      {problems}")

fail = []
if t["rps"] is None: fail.append("no Requests/sec in the tiyi run")
if sum(t["sock"].values()) > 0: fail.append(f"tiyi run had socket errors: {sock(t)}")
if t["non2xx"] > 0: fail.append(f"tiyi run had {t['non2xx']} non-2xx/3xx responses")
for f in fail:
    print("FAIL " + f)
sys.exit(1 if fail else 0)
PY
