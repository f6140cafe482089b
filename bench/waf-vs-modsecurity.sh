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
# with browser-like headers and a benign urlencoded form POST, each after a warm-up.
#
# Env: DURATION (default 15s), CONNECTIONS (default 32), THREADS (default 2), WARMUP (default 3s),
#      CRS_DIR (default ../shared/crs next to this checkout), NGINX_WORKERS (worker_processes of
#      the two nginx proxies, default 1; the upstream always has one), KEEP_TMP (keep the temp dir).
# Exit status is non-zero when a check fails (SQLi not blocked, benign request not answered 200)
# or a measured run had socket errors or non-2xx/3xx responses.
set -euo pipefail

DURATION="${DURATION:-15s}"
CONNECTIONS="${CONNECTIONS:-32}"
THREADS="${THREADS:-2}"
WARMUP="${WARMUP:-3s}"
NGINX_WORKERS="${NGINX_WORKERS:-1}"

UPSTREAM_ADDR="127.0.0.1:19201"
PLAIN_ADDR="127.0.0.1:19202"
MODSEC_ADDR="127.0.0.1:19203"
ADMIN_ADDR="127.0.0.1:18290"
HTTP_ADDR="127.0.0.1:18200"
SITE_HOST="bench.local"
UPSTREAM_BODY="ok"

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


command -v wrk >/dev/null 2>&1 || { log "installing wrk"; apt_install wrk; }
nginx_bin="$(command -v nginx 2>/dev/null || true)"
[ -z "$nginx_bin" ] && [ -x /usr/sbin/nginx ] && nginx_bin=/usr/sbin/nginx
if [ -z "$nginx_bin" ]; then
  log "installing nginx"
  apt_install nginx
  nginx_bin="$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)"
fi
modsec_module=/usr/lib/nginx/modules/ngx_http_modsecurity_module.so
if [ ! -f "$modsec_module" ]; then
  log "installing libnginx-mod-http-modsecurity"
  apt_install libnginx-mod-http-modsecurity || die "cannot install libnginx-mod-http-modsecurity (ModSecurity v3 for nginx)"
fi
[ -f "$modsec_module" ] || die "$modsec_module is missing after installing libnginx-mod-http-modsecurity"
command -v curl >/dev/null 2>&1 || { log "installing curl"; apt_install curl; }
command -v python3 >/dev/null 2>&1 || die "python3 is needed to summarise the results"

for a in "$UPSTREAM_ADDR" "$PLAIN_ADDR" "$MODSEC_ADDR" "$ADMIN_ADDR" "$HTTP_ADDR"; do
  port_free "$a" || die "$a is already in use"
done
# wrk, nginx and Tiyi share the machine's cores: anything else running lowers every figure.
cpu_busy() { # percent of all CPUs busy over one second
  local a b
  read -r -a a < <(grep '^cpu ' /proc/stat)
  sleep 1
  read -r -a b < <(grep '^cpu ' /proc/stat)
  local total=0 idle i
  for i in 1 2 3 4 5 6 7 8; do total=$((total + b[i] - a[i])); done
  idle=$((b[4] - a[4] + b[5] - a[5]))
  [ "$total" -gt 0 ] && echo $((100 * (total - idle) / total)) || echo 0
}
busy="$(cpu_busy)"
[ "$busy" -gt 15 ] && echo "WARN the CPUs are ${busy}% busy before the run: other processes compete with the benchmark" >&2

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

# nginx_conf name, worker processes, extra main-context lines, server block body
nginx_conf() {
  local d="$tmp/$1"
  mkdir -p "$d/temp"
  cat >"$d/nginx.conf" <<EOF
$3
worker_processes $2;
daemon off;
master_process on;
pid $d/nginx.pid;
error_log $d/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  default_type text/plain;
  keepalive_requests 1000000;
  keepalive_timeout 65s;
  client_body_buffer_size 1m;
  client_body_temp_path $d/temp/body;
  proxy_temp_path $d/temp/proxy;
  fastcgi_temp_path $d/temp/fastcgi;
  uwsgi_temp_path $d/temp/uwsgi;
  scgi_temp_path $d/temp/scgi;
  upstream app {
    server $UPSTREAM_ADDR;
    keepalive 64;
  }
  server {
$4
  }
}
EOF
}

# start_nginx name, address, pid variable
start_nginx() {
  local d="$tmp/$1" i
  "$nginx_bin" -t -q -p "$d" -e "$d/error.log" -c "$d/nginx.conf" >"$d/test.log" 2>&1 \
    || { cat "$d/test.log" >&2; die "nginx $1: configuration rejected (nginx -t)"; }
  "$nginx_bin" -p "$d" -e "$d/error.log" -c "$d/nginx.conf" >"$d/stdout.log" 2>&1 &
  printf -v "$3" '%s' "$!"
  for i in $(seq 1 100); do
    (exec 3<>"/dev/tcp/${2%:*}/${2##*:}") 2>/dev/null && return 0
    kill -0 "${!3}" 2>/dev/null || { cat "$d/stdout.log" "$d/error.log" >&2 2>/dev/null || true; die "nginx $1 exited"; }
    sleep 0.1
  done
  die "nginx $1 does not listen on $2"
}

nginx_conf upstream 1 "" "    listen $UPSTREAM_ADDR;
    location / { return 200 \"$UPSTREAM_BODY\\n\"; }"
log "starting nginx upstream on $UPSTREAM_ADDR"
start_nginx upstream "$UPSTREAM_ADDR" upstream_pid

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
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "${browser_headers[@]}" "${extra[@]}" "http://$addr$path" \
      >"$tmp/wrk-$target-$load-warmup.txt" 2>&1 || { cat "$tmp/wrk-$target-$load-warmup.txt" >&2; die "wrk warm-up $target $load failed"; }
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

log "setting the site's WAF: CRS paranoia 1, block"
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

fail = []
for (t, l), r in res.items():
    if r["rps"] is None: fail.append(f"{t} {l}: no Requests/sec")
    if r["sock"]: fail.append(f"{t} {l}: {r['sock']} socket errors")
    if r["non2xx"]: fail.append(f"{t} {l}: {r['non2xx']} non-2xx/3xx responses")
for f in fail:
    print("FAIL " + f)
sys.exit(1 if fail else 0)
PY
