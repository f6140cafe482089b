#!/usr/bin/env bash
# WAF load benchmark: Tiyi with the OWASP CRS against nginx with ModSecurity v3 and the same CRS.
#
# Starts a local nginx upstream (127.0.0.1:19201) and, in front of it, four targets:
#   a. nginx reverse proxy, no WAF                   127.0.0.1:19202
#   b. nginx reverse proxy + ModSecurity v3 + CRS    127.0.0.1:19203
#   c. Tiyi, site WAF mode off                       127.0.0.1:18200 (admin 127.0.0.1:18290)
#   d. Tiyi, site WAF CRS paranoia 1, block mode     127.0.0.1:18200
# Both WAFs load the CRS from ../shared/crs (crs-setup.conf.example and rules/*.conf, default
# paranoia level 1, anomaly threshold 5). Every target gets the same two wrk loads: a benign GET
# with browser-like headers and a benign urlencoded form POST, each after a warm-up of the same
# load. The warm-up is the same for every target and long enough for a JIT-compiled one: Tiyi's
# req/s in the first seconds after it starts (or after its rules change) is well below its steady
# rate, while nginx is at its steady rate at once. The warm-up logs its req/s per 5 s step, so a
# run shows whether each target had levelled off before it was measured.
# The summary ends with the acceptance lines: Tiyi+CRS / nginx+ModSecurity (goal >= 10) and
# Tiyi WAF off / nginx proxy (goal >= 1.0), req/s for GET and form POST.
#
# Env: DURATION (default 15s), CONNECTIONS (default 32), THREADS (default 2), WARMUP (default 15s),
#      CRS_DIR (default ../shared/crs next to this checkout), NGINX_WORKERS (worker_processes of
#      the two nginx proxies, default 1; the upstream always has one), KEEP_TMP (keep the temp dir).
# Exit status is non-zero when a check fails (SQLi not blocked, benign request not answered 200)
# or a measured run had socket errors or non-2xx/3xx responses.
set -euo pipefail

DURATION="${DURATION:-15s}"
CONNECTIONS="${CONNECTIONS:-32}"
THREADS="${THREADS:-2}"
WARMUP="${WARMUP:-15s}"
NGINX_WORKERS="${NGINX_WORKERS:-1}"

UPSTREAM_ADDR="127.0.0.1:19201"
PLAIN_ADDR="127.0.0.1:19202"
MODSEC_ADDR="127.0.0.1:19203"
ADMIN_ADDR="127.0.0.1:18290"
HTTP_ADDR="127.0.0.1:18200"
SITE_HOST="bench.local"

GET_PATH="/products?id=42&sort=price"
POST_PATH="/comments"
POST_BODY="name=John+Smith&email=john%40example.com&comment=Nice+product"
SQLI_PATH="/?q=1'%20or%20'1'='1"
# What a browser sends; the CRS scores requests without Accept or User-Agent.
UA="Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
ACCEPT="text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
ACCEPT_LANGUAGE="en-US,en;q=0.5"
ACCEPT_ENCODING="gzip, deflate"

root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
tiyi="$root/bin/tiyi"
crs_dir="${CRS_DIR:-$root/../shared/crs}"
[ -d "$crs_dir/rules" ] || { echo "ERROR CRS directory $crs_dir has no rules/" >&2; exit 1; }
crs_dir="$(cd "$crs_dir" && pwd -P)"
[ -f "$crs_dir/crs-setup.conf.example" ] || { echo "ERROR $crs_dir/crs-setup.conf.example is missing" >&2; exit 1; }

. "$(dirname "$(readlink -f "$0")")/lib.sh"

# --- tools -----------------------------------------------------------------------------------


need_load_tools
modsec_module=/usr/lib/nginx/modules/ngx_http_modsecurity_module.so
if [ ! -f "$modsec_module" ]; then
  log "installing libnginx-mod-http-modsecurity"
  apt_install libnginx-mod-http-modsecurity || die "cannot install libnginx-mod-http-modsecurity (ModSecurity v3 for nginx)"
fi
[ -f "$modsec_module" ] || die "$modsec_module is missing after installing libnginx-mod-http-modsecurity"

for a in "$UPSTREAM_ADDR" "$PLAIN_ADDR" "$MODSEC_ADDR" "$ADMIN_ADDR" "$HTTP_ADDR"; do
  port_free "$a" || die "$a is already in use"
done
warn_if_busy

# --- cleanup ---------------------------------------------------------------------------------

tmp="$(mktemp -d "${TMPDIR:-/tmp}/tiyi-waf-bench.XXXXXX")"
upstream_pid=""
plain_pid=""
modsec_pid=""
tiyi_pid=""

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_pid "$tiyi_pid" "tiyi" group
  stop_pid "$modsec_pid" "nginx+modsecurity"
  stop_pid "$plain_pid" "nginx proxy"
  stop_pid "$upstream_pid" "nginx upstream"
  if [ -n "${KEEP_TMP:-}" ]; then
    echo "== kept $tmp" >&2
  else
    rm -rf "$tmp"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- nginx: upstream and the two proxies -----------------------------------------------------

start_upstream upstream_pid

proxy_location="    location / {
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Connection \"\";
      proxy_set_header Host \$host;
    }"

nginx_conf plain "$NGINX_WORKERS" "" "    listen $PLAIN_ADDR;
$proxy_location"
log "starting nginx reverse proxy on $PLAIN_ADDR"
start_nginx plain "$PLAIN_ADDR" plain_pid

mkdir -p "$tmp/modsec"
cat >"$tmp/modsec/main.conf" <<EOF
SecRuleEngine On
SecRequestBodyAccess On
SecAuditEngine RelevantOnly
SecAuditLogRelevantStatus "^(?:5|4(?!04))"
SecAuditLogParts ABIJDEFHZ
SecAuditLogType Serial
SecAuditLog $tmp/modsec/audit.log
Include $crs_dir/crs-setup.conf.example
Include $crs_dir/rules/*.conf
EOF
nginx_conf modsec "$NGINX_WORKERS" "load_module $modsec_module;" "    listen $MODSEC_ADDR;
    modsecurity on;
    modsecurity_rules_file $tmp/modsec/main.conf;
$proxy_location"
log "starting nginx reverse proxy + ModSecurity on $MODSEC_ADDR (CRS from $crs_dir)"
start_nginx modsec "$MODSEC_ADDR" modsec_pid
grep -m1 -o 'ModSecurity-nginx v[^ ]* (rules loaded[^)]*)' "$tmp/modsec/error.log" >&2 || true

# --- Tiyi node -------------------------------------------------------------------------------

tiyi_log="$tmp/tiyi.log"
start_tiyi "$tiyi" "$ADMIN_ADDR" "$HTTP_ADDR" "$tmp/state" "$tiyi_log" 180
grep "ready on" "$tiyi_log" >&2

tiyi_cli() {
  TIYI_STATE_DIR="$tmp/state" TIYI_API="http://$ADMIN_ADDR" "$tiyi" "$@"
}

log "setting waf.crs_dir=$crs_dir, creating site bench ($SITE_HOST -> http://$UPSTREAM_ADDR), WAF off"
tiyi_cli system settings update --key waf.crs_dir --value "$crs_dir" >&2
tiyi_cli sites create --name bench --host "$SITE_HOST" --upstream "http://$UPSTREAM_ADDR" --output table >&2
tiyi_cli waf set --site bench --mode off >&2

# --- checks ----------------------------------------------------------------------------------

browser_headers=(-H "Host: $SITE_HOST" -H "User-Agent: $UA" -H "Accept: $ACCEPT"
  -H "Accept-Language: $ACCEPT_LANGUAGE" -H "Accept-Encoding: $ACCEPT_ENCODING")

status_get() { # addr, path
  curl -s -o /dev/null -w '%{http_code}' "${browser_headers[@]}" "http://$1$2" || true
}
status_post() { # addr
  curl -s -o /dev/null -w '%{http_code}' "${browser_headers[@]}" \
    -H "Content-Type: application/x-www-form-urlencoded" --data-binary "$POST_BODY" "http://$1$POST_PATH" || true
}
# wait_status want, timeout-seconds, command...: retries until the command prints want
wait_status() {
  local want="$1" until=$((SECONDS + $2)) got
  shift 2
  while :; do
    got="$("$@")"
    [ "$got" = "$want" ] && return 0
    [ "$SECONDS" -ge "$until" ] && { echo "$got"; return 1; }
    sleep 0.5
  done
}
check() { # label, addr, sqli-status
  local got
  got="$(wait_status 200 10 status_get "$2" "$GET_PATH")" || fail_check "$1: benign GET $GET_PATH answered $got, want 200"
  got="$(wait_status 200 10 status_post "$2")" || fail_check "$1: benign form POST $POST_PATH answered $got, want 200"
  got="$(wait_status "$3" 15 status_get "$2" "$SQLI_PATH")" || fail_check "$1: SQLi GET $SQLI_PATH answered $got, want $3"
  log "check $1: benign GET 200, benign POST 200, SQLi GET $3"
}
fail_check() {
  echo "ERROR check failed: $*" >&2
  tail -n 30 "$tiyi_log" >&2
  tail -n 5 "$tmp/modsec/error.log" >&2 || true
  exit 1
}

check "nginx" "$PLAIN_ADDR" 200
check "nginx+ModSecurity" "$MODSEC_ADDR" 403
check "tiyi (WAF off)" "$HTTP_ADDR" 200

# --- load ------------------------------------------------------------------------------------

cat >"$tmp/post.lua" <<EOF
wrk.method = "POST"
wrk.body = "$POST_BODY"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
EOF


# run target addr: warm-up and measured run of both loads, results in $tmp/wrk-<target>-<load>.txt
run_target() {
  local target="$1" addr="$2" load path extra
  for load in get post; do
    if [ "$load" = get ]; then path="$GET_PATH"; extra=(); else path="$POST_PATH"; extra=(-s "$tmp/post.lua"); fi
    warm_up "$target $load" "$WARMUP" -t"$THREADS" -c"$CONNECTIONS" "${browser_headers[@]}" "${extra[@]}" "http://$addr$path"
    [ "$addr" = "$HTTP_ADDR" ] && site_counters "$ADMIN_ADDR" bench >"$tmp/metrics-$target-$load-before.txt"
    log "wrk $target $load: -t$THREADS -c$CONNECTIONS -d$DURATION http://$addr$path"
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "${browser_headers[@]}" "${extra[@]}" "http://$addr$path" \
      >"$tmp/wrk-$target-$load.txt" 2>&1 || { cat "$tmp/wrk-$target-$load.txt" >&2; die "wrk $target $load failed"; }
    [ "$addr" = "$HTTP_ADDR" ] && site_counters "$ADMIN_ADDR" bench >"$tmp/metrics-$target-$load-after.txt"
    echo "--- wrk $target $load (http://$addr$path)"
    cat "$tmp/wrk-$target-$load.txt"
  done
}

modsec_matches_before="$(grep -c 'ModSecurity: ' "$tmp/modsec/error.log" || true)"
run_target nginx "$PLAIN_ADDR"
run_target modsec "$MODSEC_ADDR"
modsec_matches_after="$(grep -c 'ModSecurity: ' "$tmp/modsec/error.log" || true)"
run_target tiyi "$HTTP_ADDR"

log "setting the site's WAF: CRS paranoia 1, block (the standard profile its first policy got)"
tiyi_cli waf set --site bench --mode block --paranoia 1 >&2
check "tiyi (CRS PL1 block)" "$HTTP_ADDR" 403
tiyi_waf_line="$(grep -m1 -o 'waf: OWASP CRS from .*' "$tiyi_log" || true)"
[ -n "$tiyi_waf_line" ] && log "tiyi $tiyi_waf_line"
run_target tiyi-crs "$HTTP_ADDR"

kill -0 "$tiyi_pid" 2>/dev/null || { tail -n 50 "$tiyi_log" >&2; die "tiyi died during the run"; }
kill -0 "$modsec_pid" 2>/dev/null || { tail -n 50 "$tmp/modsec/error.log" >&2; die "nginx+modsecurity died during the run"; }

# --- diagnostics -----------------------------------------------------------------------------

tiyi_problems="$(grep -cE '^(WARN|ERROR)|Exception' "$tiyi_log" || true)"
if [ "$tiyi_problems" -gt 0 ]; then
  echo "--- tiyi log: $tiyi_problems WARN/ERROR/exception line(s), first 20:"
  grep -E '^(WARN|ERROR)|Exception' "$tiyi_log" | head -n 20
fi
modsec_matches=$((modsec_matches_after - modsec_matches_before))
echo "--- ModSecurity rule messages in the nginx error log during its benign runs: $modsec_matches"
[ "$modsec_matches" -gt 0 ] && grep 'ModSecurity: ' "$tmp/modsec/error.log" | tail -n 3

echo "--- tiyi responses during the measured runs (its metrics, tiyi_proxy_site_bench_responses_*):"
for t in tiyi-get tiyi-post tiyi-crs-get tiyi-crs-post; do
  python3 - "$t" "$tmp/metrics-$t-before.txt" "$tmp/metrics-$t-after.txt" <<'PY'
import sys
def read(p):
    out = {}
    for line in open(p):
        k, v = line.split()
        out[k.rsplit("_", 2)[-2]] = float(v)
    return out
b, a = read(sys.argv[2]), read(sys.argv[3])
print(f"  {sys.argv[1]:14} " + (", ".join(f"{k}: {int(a[k] - b.get(k, 0))}" for k in sorted(a)) if a else "(no counters)"))
PY
done

echo "--- nginx proxies: worker_processes $NGINX_WORKERS; $(nproc) CPUs"
echo "--- versions"
echo "  $("$nginx_bin" -v 2>&1)"
echo "  libmodsecurity3 $(dpkg-query -W -f '${Version}' libmodsecurity3 2>/dev/null || echo '?'), libnginx-mod-http-modsecurity $(dpkg-query -W -f '${Version}' libnginx-mod-http-modsecurity 2>/dev/null || echo '?')"
echo "  CRS $(cat "$crs_dir/VERSION" 2>/dev/null || echo '?') ($crs_dir)"
echo "  $(wrk -v 2>&1 | head -n 1)"
echo "  $(grep -m1 'starting tiyi' "$tiyi_log" | sed 's/^INFO //')"

# --- summary ---------------------------------------------------------------------------------

python3 - "$tmp" "$THREADS" "$CONNECTIONS" "$DURATION" "$WARMUP" "$tiyi_problems" "$modsec_matches" <<'PY'
import re, sys

tmp, threads, conns, dur, warmup = sys.argv[1:6]
problems, modsec_matches = int(sys.argv[6]), int(sys.argv[7])

def to_ms(v):
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", v)
    if not m:
        return None
    n, u = float(m.group(1)), m.group(2)
    return n * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[u]

def parse(path):
    text = open(path).read()
    r = {"rps": None, "p50": None, "p99": None, "requests": None, "sock": 0, "non2xx": 0}
    m = re.search(r"Requests/sec:\s+([\d.]+)", text)
    if m: r["rps"] = float(m.group(1))
    m = re.search(r"^\s+50%\s+(\S+)", text, re.M)
    if m: r["p50"] = to_ms(m.group(1))
    m = re.search(r"^\s+99%\s+(\S+)", text, re.M)
    if m: r["p99"] = to_ms(m.group(1))
    m = re.search(r"(\d+) requests in", text)
    if m: r["requests"] = int(m.group(1))
    m = re.search(r"Socket errors:\s*connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if m: r["sock"] = sum(map(int, m.groups()))
    m = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", text)
    if m: r["non2xx"] = int(m.group(1))
    return r

targets = [("nginx", "nginx proxy"), ("modsec", "nginx + ModSecurity"), ("tiyi", "Tiyi, WAF off"), ("tiyi-crs", "Tiyi + CRS")]
loads = [("get", "GET"), ("post", "form POST")]
res = {(t, l): parse(f"{tmp}/wrk-{t}-{l}.txt") for t, _ in targets for l, _ in loads}

def fmt(v, f):
    return "n/a" if v is None else f.format(v)

def ratio(a, b):
    return a / b if a is not None and b else None

print()
print(f"=== summary: wrk -t{threads} -c{conns} -d{dur} --latency, {warmup} warm-up before each run")
print(f"{'target':22}{'load':11}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'requests':>11}{'non-2xx':>9}{'sock err':>9}")
for t, tn in targets:
    for l, ln in loads:
        r = res[(t, l)]
        print(f"{tn:22}{ln:11}{fmt(r['rps'], '{:.0f}'):>10}{fmt(r['p50'], '{:.2f}'):>9}{fmt(r['p99'], '{:.2f}'):>9}"
              f"{fmt(r['requests'], '{:d}'):>11}{r['non2xx']:>9}{r['sock']:>9}")
print()
for l, ln in loads:
    d, m = res[("tiyi-crs", l)], res[("modsec", l)]
    print(f"Tiyi+CRS / nginx+ModSecurity, {ln:9}: req/s {fmt(ratio(d['rps'], m['rps']), '{:.2f}')}, "
          f"p99 {fmt(ratio(d['p99'], m['p99']), '{:.2f}')}")
for l, ln in loads:
    print(f"WAF cost, {ln:9}: nginx+ModSecurity / nginx req/s {fmt(ratio(res[('modsec', l)]['rps'], res[('nginx', l)]['rps']), '{:.2f}')}, "
          f"Tiyi+CRS / Tiyi WAF off req/s {fmt(ratio(res[('tiyi-crs', l)]['rps'], res[('tiyi', l)]['rps']), '{:.2f}')}")
print(f"tiyi log WARN/ERROR: {problems}; ModSecurity rule messages during benign runs: {modsec_matches}")

# The goals, one line each, last so that a run's closing lines are its verdict.
print()
print("=== acceptance (req/s ratios)")
for num, den, label, goal in (("tiyi-crs", "modsec", "Tiyi+CRS / nginx+ModSecurity", 10.0), ("tiyi", "nginx", "Tiyi WAF off / nginx proxy", 1.0)):
    for l, ln in loads:
        r = ratio(res[(num, l)]["rps"], res[(den, l)]["rps"])
        verdict = "n/a" if r is None else ("MET" if r >= goal else "NOT MET")
        print(f"{label + ', ' + ln + ':':41}{fmt(r, '{:.2f}'):>7}  goal >= {goal:g}: {verdict}")

fail = []
for (t, l), r in res.items():
    if r["rps"] is None: fail.append(f"{t} {l}: no Requests/sec")
    if r["sock"]: fail.append(f"{t} {l}: {r['sock']} socket errors")
    if r["non2xx"]: fail.append(f"{t} {l}: {r['non2xx']} non-2xx/3xx responses")
for f in fail:
    print("FAIL " + f)
sys.exit(1 if fail else 0)
PY
