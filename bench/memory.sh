#!/usr/bin/env bash
# Memory of an agent: RSS idle and under load, and its garbage-collection pauses.
#
# Starts a local nginx upstream (127.0.0.1:19231), a Tiyi server (admin 127.0.0.1:18231, data
# plane 127.0.0.1:18230) with one site, bench.local, with the OWASP CRS from ../shared/crs at
# paranoia 1 in block mode (WAF=off: WAF mode off), and a `tiyi agent` process enrolled to it
# (data plane 127.0.0.1:18232) started by bin/tiyi with the launcher's default JVM options, or
# with TIYI_JAVA_OPTS when that is set (as bin/tiyi reads it). GC logging is added through
# JAVA_TOOL_OPTIONS, so it changes none of those options.
#
# Measures the agent's RSS (/proc/PID/status VmRSS) after IDLE of rest once its first bundle is
# applied, then during a GET load (the benign GET of bench/waf-vs-modsecurity.sh, through the
# agent) sampled every second after a warm-up, and the GC pauses of the measured load from the
# agent's -Xlog:gc. Prints a summary, a markdown row for docs/benchmarks.md and the goal line
# (RSS under load <= 256 MB).
#
# Env: DURATION (default 30s), WARMUP (default 15s), IDLE (default 20s), CONNECTIONS (default 32),
#      THREADS (default 2), WAF (crs or off, default crs), CRS_DIR (default ../shared/crs),
#      TIYI_JAVA_OPTS (the agent's JVM options; unset: bin/tiyi's defaults), KEEP_TMP.
# Exit status is non-zero when the load had socket errors or non-2xx/3xx responses; the goal
# line does not change it.
set -euo pipefail

DURATION="${DURATION:-30s}"
WARMUP="${WARMUP:-15s}"
IDLE="${IDLE:-20s}"
CONNECTIONS="${CONNECTIONS:-32}"
THREADS="${THREADS:-2}"
WAF="${WAF:-crs}"
GOAL_MB=256

UPSTREAM_ADDR="127.0.0.1:19231"
HTTP_ADDR="127.0.0.1:18230"
ADMIN_ADDR="127.0.0.1:18231"
AGENT_HTTP_ADDR="127.0.0.1:18232"
AGENT_HTTPS_ADDR="127.0.0.1:18233"
SITE_HOST="bench.local"
GET_PATH="/products?id=42&sort=price"
UA="Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
ACCEPT="text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
tiyi="$root/bin/tiyi"
crs_dir="${CRS_DIR:-$root/../shared/crs}"
[ -d "$crs_dir/rules" ] || { echo "ERROR CRS directory $crs_dir has no rules/" >&2; exit 1; }
crs_dir="$(cd "$crs_dir" && pwd -P)"
case "$WAF" in crs|off) ;; *) echo "ERROR WAF must be crs or off" >&2; exit 1 ;; esac

. "$(dirname "$(readlink -f "$0")")/lib.sh"

need_load_tools
for a in "$UPSTREAM_ADDR" "$HTTP_ADDR" "$ADMIN_ADDR" "$AGENT_HTTP_ADDR" "$AGENT_HTTPS_ADDR"; do
  port_free "$a" || die "$a is already in use"
done
warn_if_busy

tmp="$(mktemp -d "${TMPDIR:-/tmp}/tiyi-memory.XXXXXX")"
upstream_pid=""
tiyi_pid=""
agent_pid=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_pid "$agent_pid" "tiyi agent" group
  stop_pid "$tiyi_pid" "tiyi server" group
  stop_pid "$upstream_pid" "nginx upstream"
  if [ -n "${KEEP_TMP:-}" ]; then echo "== kept $tmp" >&2; else rm -rf "$tmp"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

start_upstream upstream_pid
# The server is not measured: it runs with the server's own defaults, whatever TIYI_JAVA_OPTS says.
agent_opts_set="${TIYI_JAVA_OPTS+set}"
agent_opts="${TIYI_JAVA_OPTS:-}"
unset TIYI_JAVA_OPTS
start_tiyi "$tiyi" "$ADMIN_ADDR" "$HTTP_ADDR" "$tmp/server" "$tmp/server.log" 180
tiyi_cli() { TIYI_STATE_DIR="$tmp/server" TIYI_API="http://$ADMIN_ADDR" "$tiyi" "$@"; }

log "creating site bench ($SITE_HOST -> http://$UPSTREAM_ADDR), WAF $WAF"
tiyi_cli system settings update --key waf.crs_dir --value "$crs_dir" >/dev/null
tiyi_cli sites create --name bench --host "$SITE_HOST" --upstream "http://$UPSTREAM_ADDR" >/dev/null
if [ "$WAF" = crs ]; then
  tiyi_cli waf set --site bench --mode block --paranoia 1 >/dev/null
else
  tiyi_cli waf set --site bench --mode off >/dev/null
fi
enroll="$(tiyi_cli agents issue-token --tag bench --output json)"
token="$(printf '%s' "$enroll" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')"

log "starting tiyi agent on $AGENT_HTTP_ADDR"
gc_log="$tmp/agent-gc.log"
agent_log="$tmp/agent.log"
(
  if [ -n "$agent_opts_set" ]; then export TIYI_JAVA_OPTS="$agent_opts"; fi
  export JAVA_TOOL_OPTIONS="${JAVA_TOOL_OPTIONS:+$JAVA_TOOL_OPTIONS }-Xlog:gc:file=$gc_log:uptime,level,tags"
  exec setsid "$tiyi" agent --api "http://$ADMIN_ADDR" --enrollment-token "$token" --state-dir "$tmp/agent" \
    --http-addr "$AGENT_HTTP_ADDR" --https-addr "$AGENT_HTTPS_ADDR"
) >"$agent_log" 2>&1 &
agent_pid=$!

browser_headers=(-H "Host: $SITE_HOST" -H "User-Agent: $UA" -H "Accept: $ACCEPT"
  -H "Accept-Language: en-US,en;q=0.5" -H "Accept-Encoding: gzip, deflate")
deadline=$((SECONDS + 120))
until [ "$(curl -s -o /dev/null -w '%{http_code}' "${browser_headers[@]}" "http://$AGENT_HTTP_ADDR$GET_PATH" || true)" = 200 ]; do
  kill -0 "$agent_pid" 2>/dev/null || { cat "$agent_log" >&2; die "the agent exited"; }
  [ "$SECONDS" -ge "$deadline" ] && { tail -n 30 "$agent_log" >&2; die "the agent does not answer 200 on $AGENT_HTTP_ADDR after 120 s"; }
  sleep 0.5
done
if [ "$WAF" = crs ]; then
  got="$(curl -s -o /dev/null -w '%{http_code}' "${browser_headers[@]}" "http://$AGENT_HTTP_ADDR/?q=1'%20or%20'1'='1")"
  [ "$got" = 403 ] || die "SQLi GET through the agent answered $got, want 403"
fi
grep -m1 "applied bundle" "$agent_log" >&2 || true

# bin/tiyi execs java, so the agent's pid is the JVM's.
jvm_args="$(tr '\0' ' ' </proc/"$agent_pid"/cmdline | sed 's/ -jar .*//; s/^java //')"
rss_mb() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' /proc/"$agent_pid"/status; }

log "agent idle for $IDLE"
sleep "${IDLE%s}"
idle_rss="$(rss_mb)"

url="http://$AGENT_HTTP_ADDR$GET_PATH"
warm_up "agent get" "$WARMUP" -t"$THREADS" -c"$CONNECTIONS" "${browser_headers[@]}" "$url"
gc_before="$(wc -l <"$gc_log")"
(
  while kill -0 "$agent_pid" 2>/dev/null; do rss_mb; echo; sleep 1; done
) >"$tmp/rss.txt" &
sampler=$!
log "wrk through the agent: -t$THREADS -c$CONNECTIONS -d$DURATION $url"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "${browser_headers[@]}" "$url" >"$tmp/wrk.txt" 2>&1 \
  || { cat "$tmp/wrk.txt" >&2; die "wrk failed"; }
kill "$sampler" 2>/dev/null || true
wait "$sampler" 2>/dev/null || true
after_rss="$(rss_mb)"
tail -n +"$((gc_before + 1))" "$gc_log" >"$tmp/gc-load.log"
kill -0 "$agent_pid" 2>/dev/null || { tail -n 50 "$agent_log" >&2; die "the agent died during the run"; }
cat "$tmp/wrk.txt"

python3 - "$tmp" "$idle_rss" "$after_rss" "$jvm_args" "$agent_opts_set" "$WAF" "$DURATION" "$CONNECTIONS" "$GOAL_MB" <<'PY'
import re, statistics, sys
tmp, idle, after, jvm_args, opts_set, waf, dur, conns, goal = sys.argv[1:10]
samples = [float(x) for x in open(f"{tmp}/rss.txt").read().split()]
peak = max(samples + [float(after)])
pauses = []
for line in open(f"{tmp}/gc-load.log"):
    m = re.search(r"Pause.* ([\d.]+)ms$", line.strip())
    if m:
        pauses.append(float(m.group(1)))
def pct(p):
    if not pauses:
        return None
    s = sorted(pauses)
    return s[min(len(s) - 1, max(0, int(round(p / 100 * len(s) + 0.5)) - 1))]
text = open(f"{tmp}/wrk.txt").read()
rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
non2xx = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", text)
sock = re.search(r"Socket errors:\s*connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
fmt = lambda v, f="{:.1f}": "n/a" if v is None else f.format(v)
opts = "TIYI_JAVA_OPTS" if opts_set else "bin/tiyi defaults"
print()
print(f"=== summary: tiyi agent, WAF {waf}, JVM options ({opts}): {jvm_args}")
print(f"RSS idle:                {idle} MB")
print(f"RSS under load:          peak {peak:.1f} MB, at the end {after} MB ({len(samples)} samples, wrk -c{conns} -d{dur}, "
      f"{fmt(float(rps.group(1)) if rps else None, '{:.0f}')} req/s)")
print(f"GC pauses under load:    {len(pauses)}, p50 {fmt(pct(50), '{:.2f}')} ms, p99 {fmt(pct(99), '{:.2f}')} ms, "
      f"max {fmt(max(pauses) if pauses else None, '{:.2f}')} ms, total {sum(pauses):.0f} ms")
print()
print("| JVM options | RSS idle | RSS under load (peak) | req/s | GC pauses | GC pause p99 |")
print("|---|---:|---:|---:|---:|---:|")
print(f"| `{jvm_args}` | {float(idle):.0f} MB | {peak:.0f} MB | {fmt(float(rps.group(1)) if rps else None, '{:,.0f}')} | {len(pauses)} | {fmt(pct(99), '{:.2f}')} ms |")
print()
print(f"RSS under load <= {goal} MB: {peak:.0f} MB, {'MET' if peak <= float(goal) else 'NOT MET'}")
bad = (int(non2xx.group(1)) if non2xx else 0) + (sum(map(int, sock.groups())) if sock else 0)
if bad or not rps:
    print(f"FAIL the load had {bad} socket errors or non-2xx/3xx responses")
    sys.exit(1)
PY
