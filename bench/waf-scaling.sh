#!/usr/bin/env bash
# How the cost of Tiyi's WAF grows: request size, argument count, number of sites, paranoia level.
#
# Starts a local nginx upstream (127.0.0.1:19221) and one Tiyi node (data plane 127.0.0.1:18220,
# admin 127.0.0.1:18221) with the OWASP CRS from ../shared/crs. The measured site, bench.local,
# is in block mode; the other configured sites (s2.bench.local ...) proxy to the same upstream
# with the same WAF policy and get no traffic. For every number of sites (SITES) and paranoia
# level (PARANOIA) it runs each load (LOADS) after a warm-up of the same load:
#   get      GET /products?id=42&sort=price with browser headers (as bench/waf-vs-modsecurity.sh)
#   post     POST /comments, a 63-byte urlencoded form (bench/waf-vs-modsecurity.sh's, with "Great
#            product" for "Nice product", which paranoia 2 scores as the Unix command nice: 932236)
#   json64k  POST /api/orders, a 65,536-byte JSON order list
#   json1m   POST /api/orders, a 1,048,576-byte JSON order list
#   args10k  POST /comments, an urlencoded form of 10,000 arguments
# get and post run with CONNECTIONS connections for DURATION; the three large loads with
# BODY_CONNECTIONS for BODY_DURATION (a 1 MB JSON body takes seconds to inspect), so
# their latency is close to one request's inspection time, from which the ms-per-KB slope of JSON
# bodies is taken ((p50 of json1m - p50 of json64k) / 960 KB).
#
# The node starts with its default limits. Before measuring, the script sends each load once and
# prints what answered; a load the defaults refuse (400: a body over waf.limits.*; 503: over the
# per-request waf.budget.*) is measured only after the script raises those node settings, which it
# prints. Then every load must answer 200.
#
# Prints a table per configuration, a markdown table for docs/benchmarks.md (also written to
# TABLE) and draws req/s and p99 per load into a PNG chart (CHART) with gnuplot, installed with
# apt-get (gnuplot-nox) when missing.
#
# Env: DURATION (default 10s), WARMUP (default 15s), CONNECTIONS (default 32), THREADS (default 2),
#      BODY_CONNECTIONS (default 2), BODY_DURATION (default 30s), SITES (default "1 10 100"), PARANOIA (default "1 2"),
#      LOADS (default "get post json64k json1m args10k"), CRS_DIR (default ../shared/crs),
#      CHART (default bench/out/waf-scaling.png), TABLE (default bench/out/waf-scaling.md),
#      KEEP_TMP (keep the temp dir).
# Exit status is non-zero when a load does not answer 200 or a measured run had socket errors or
# non-2xx/3xx responses.
set -euo pipefail

DURATION="${DURATION:-10s}"
WARMUP="${WARMUP:-15s}"
CONNECTIONS="${CONNECTIONS:-32}"
THREADS="${THREADS:-2}"
BODY_CONNECTIONS="${BODY_CONNECTIONS:-2}"
BODY_DURATION="${BODY_DURATION:-30s}"
SITES="${SITES:-1 10 100}"
PARANOIA="${PARANOIA:-1 2}"
LOADS="${LOADS:-get post json64k json1m args10k}"

UPSTREAM_ADDR="127.0.0.1:19221"
HTTP_ADDR="127.0.0.1:18220"
ADMIN_ADDR="127.0.0.1:18221"
SITE_HOST="bench.local"
UA="Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
ACCEPT="text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
tiyi="$root/bin/tiyi"
CHART="${CHART:-$root/bench/out/waf-scaling.png}"
TABLE="${TABLE:-$root/bench/out/waf-scaling.md}"
crs_dir="${CRS_DIR:-$root/../shared/crs}"
[ -d "$crs_dir/rules" ] || { echo "ERROR CRS directory $crs_dir has no rules/" >&2; exit 1; }
crs_dir="$(cd "$crs_dir" && pwd -P)"

. "$(dirname "$(readlink -f "$0")")/lib.sh"

need_load_tools
command -v gnuplot >/dev/null 2>&1 || { log "installing gnuplot-nox"; apt_install gnuplot-nox; }
for a in "$UPSTREAM_ADDR" "$HTTP_ADDR" "$ADMIN_ADDR"; do
  port_free "$a" || die "$a is already in use"
done
for l in $LOADS; do
  case "$l" in get|post|json64k|json1m|args10k) ;; *) die "unknown load '$l' in LOADS" ;; esac
done
warn_if_busy

tmp="$(mktemp -d "${TMPDIR:-/tmp}/tiyi-waf-scaling.XXXXXX")"
upstream_pid=""
tiyi_pid=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_pid "$tiyi_pid" "tiyi" group
  stop_pid "$upstream_pid" "nginx upstream"
  if [ -n "${KEEP_TMP:-}" ]; then echo "== kept $tmp" >&2; else rm -rf "$tmp"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- request bodies and wrk scripts ----------------------------------------------------------

python3 - "$tmp" <<'PY'
import sys
tmp = sys.argv[1]
def order_list(size):
    # The JSON of bench/jmh's WafBenchmark: product lines, then one padding field to the exact size.
    parts, tail = ['{"customer":{"name":"John Smith","email":"john@example.com"},"items":['], '],"note":""}'
    length = len(parts[0])
    i = 1
    while True:
        item = ("," if i > 1 else "") + ('{"id":%d,"sku":"SKU-%d","name":"Product %d","quantity":%d,"price":%d.99,"gift":%s}'
                                         % (i, 10000 + i, i, 1 + i % 5, 5 + i % 90, "true" if i % 7 == 0 else "false"))
        if length + len(item) + len(tail) > size:
            break
        parts.append(item); length += len(item); i += 1
    s = "".join(parts) + '],"note":"'
    pad = []
    while len(s) + len(pad) + 2 < size:
        pad.append(" " if (len(s) + len(pad)) % 6 == 0 else "a")
    return (s + "".join(pad) + '"}').encode("ascii")
open(f"{tmp}/json64k.body", "wb").write(order_list(65536))
open(f"{tmp}/json1m.body", "wb").write(order_list(1048576))
open(f"{tmp}/args10k.body", "wb").write("&".join(f"field{i}=value+{i}" for i in range(10000)).encode("ascii"))
open(f"{tmp}/post.body", "wb").write(b"name=John+Smith&email=john%40example.com&comment=Great+product")
PY

body_of() { case "$1" in post) echo "$tmp/post.body" ;; json64k|json1m|args10k) echo "$tmp/$1.body" ;; *) echo "" ;; esac; }
type_of() { case "$1" in json*) echo application/json ;; *) echo application/x-www-form-urlencoded ;; esac; }
path_of() { case "$1" in get) echo "/products?id=42&sort=price" ;; json*) echo /api/orders ;; *) echo /comments ;; esac; }
conns_of() { case "$1" in get|post) echo "$CONNECTIONS" ;; *) echo "$BODY_CONNECTIONS" ;; esac; }
duration_of() { case "$1" in get|post) echo "$DURATION" ;; *) echo "$BODY_DURATION" ;; esac; }
threads_of() { case "$1" in get|post) echo "$THREADS" ;; *) echo 1 ;; esac; }

for l in post json64k json1m args10k; do
  cat >"$tmp/$l.lua" <<EOF
wrk.method = "POST"
wrk.headers["Content-Type"] = "$(type_of "$l")"
local f = assert(io.open("$(body_of "$l")", "rb"))
wrk.body = f:read("*a")
f:close()
EOF
done

browser_headers=(-H "Host: $SITE_HOST" -H "User-Agent: $UA" -H "Accept: $ACCEPT"
  -H "Accept-Language: en-US,en;q=0.5" -H "Accept-Encoding: gzip, deflate")

# status LOAD: the status code of one request of the load
status() {
  local body
  body="$(body_of "$1")"
  if [ -z "$body" ]; then
    curl -s -o /dev/null -m 120 -w '%{http_code}' "${browser_headers[@]}" "http://$HTTP_ADDR$(path_of "$1")" || true
  else
    curl -s -o /dev/null -m 120 -w '%{http_code}' "${browser_headers[@]}" -H "Content-Type: $(type_of "$1")" \
      --data-binary "@$body" "http://$HTTP_ADDR$(path_of "$1")" || true
  fi
}

# --- upstream and node -----------------------------------------------------------------------

start_upstream upstream_pid
tiyi_log="$tmp/tiyi.log"
start_tiyi "$tiyi" "$ADMIN_ADDR" "$HTTP_ADDR" "$tmp/state" "$tiyi_log" 180
grep "ready on" "$tiyi_log" >&2

# node_alive: dies with the end of the node's log when the node has exited
node_alive() {
  kill -0 "$tiyi_pid" 2>/dev/null || { tail -n 40 "$tiyi_log" >&2; die "tiyi exited (its log above)"; }
}
tiyi_cli() { TIYI_STATE_DIR="$tmp/state" TIYI_API="http://$ADMIN_ADDR" "$tiyi" "$@"; }
token="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["token"])' "$tmp/state/local-admin.json")"
# rpc METHOD JSON: one API call with the node's local admin credential (a CLI call per site
# would start a JVM per site).
rpc() {
  curl -sS -f -o /dev/null -H "Authorization: Bearer $token" -H "Content-Type: application/json" \
    -d "$2" "http://$ADMIN_ADDR/rpc/tiyi.v1.$1" || { node_alive; die "API call $1 $2 failed"; }
}

log "setting waf.crs_dir=$crs_dir, creating site bench ($SITE_HOST -> http://$UPSTREAM_ADDR), CRS paranoia 1, block"
tiyi_cli system settings update --key waf.crs_dir --value "$crs_dir" >/dev/null
rpc SitesService/Create "{\"name\":\"bench\",\"hosts\":[\"$SITE_HOST\"],\"upstreams\":[\"http://$UPSTREAM_ADDR\"]}"
rpc WafService/SetPolicy '{"site":"bench","mode":"block","paranoia":1}'
sites_now=1

# wait_for STATUS TIMEOUT LOAD: until one request of LOAD answers STATUS
wait_for() {
  local want="$1" until=$((SECONDS + $2)) got
  while :; do
    got="$(status "$3")"
    [ "$got" = "$want" ] && return 0
    [ "$SECONDS" -ge "$until" ] && { echo "$got"; return 1; }
    sleep 0.5
  done
}
got="$(wait_for 200 30 get)" || die "benign GET through the node answered $got, want 200"
sqli() { curl -s -o /dev/null -w '%{http_code}' "${browser_headers[@]}" "http://$HTTP_ADDR/?q=1'%20or%20'1'='1" || true; }
deadline=$((SECONDS + 60))
until [ "$(sqli)" = 403 ]; do
  [ "$SECONDS" -ge "$deadline" ] && die "SQLi GET through the node answered $(sqli), want 403 (is the CRS loaded?)"
  sleep 0.5
done

# --- the node's default limits ---------------------------------------------------------------

echo "--- what the node's default limits answer (1 site, CRS paranoia 1, one request each)"
# probe_all: one request of each load; sets refused_400 and refused_503
probe_all() {
  local l got
  refused_400="" refused_503=""
  for l in $LOADS; do
    got="$(status "$l")"
    echo "  $l: $got"
    case "$got" in
      200) ;;
      400) refused_400="$refused_400 $l" ;;
      503) refused_503="$refused_503 $l" ;;
      *) die "$l answered $got; want 200, or 400/503 from a limit" ;;
    esac
  done
}
raised=""
# A body refused at parsing (400) may be over the budget (503) once parsed: up to three rounds.
for round in 1 2 3; do
  probe_all
  [ "$round" = 1 ] && default_400="$refused_400" default_503="$refused_503"
  [ -z "$refused_400$refused_503" ] && break
  [ "$round" = 3 ] && die "loads still refused after raising the limits:$refused_400$refused_503"
  if [ -n "$refused_400" ] && [ "${raised/limits/}" = "$raised" ]; then
    echo "  refused as a body error (400) by waf.limits.*:$refused_400; raising them for this benchmark:"
    echo "    waf.limits.max_args 1000 -> 200000, waf.limits.max_arg_bytes 1048576 -> 4194304"
    tiyi_cli system settings update --key waf.limits.max_args --value 200000 >/dev/null
    tiyi_cli system settings update --key waf.limits.max_arg_bytes --value 4194304 >/dev/null
    raised="$raised limits"
    # The budget is wall time: a body that passes it alone goes over it with another inspected
    # beside it on a busy machine, and is then answered 503 in the measured run.
    if [ "${raised/budget/}" = "$raised" ]; then
      echo "  and the per-request budget, which concurrent large bodies exceed (503):"
      echo "    waf.budget.time 1s -> 5m, waf.budget.regex_steps 50000000 -> 100000000000"
      tiyi_cli system settings update --key waf.budget.time --value 5m >/dev/null
      tiyi_cli system settings update --key waf.budget.regex_steps --value 100000000000 >/dev/null
      raised="$raised budget"
    fi
  elif [ -n "$refused_503" ] && [ "${raised/budget/}" = "$raised" ]; then
    echo "  refused over the per-request budget (503) by waf.budget.*:$refused_503; raising it for this benchmark:"
    echo "    waf.budget.time 1s -> 5m, waf.budget.regex_steps 50000000 -> 100000000000"
    tiyi_cli system settings update --key waf.budget.time --value 5m >/dev/null
    tiyi_cli system settings update --key waf.budget.regex_steps --value 100000000000 >/dev/null
    raised="$raised budget"
  else
    die "loads still refused after raising the limits:$refused_400$refused_503"
  fi
  sleep 2
  echo "--- the same requests with the raised settings"
done
[ -n "$raised" ] && echo "  every load answers 200 with the raised settings"

# --- configurations --------------------------------------------------------------------------

# set_sites N: N sites configured, bench and N-1 others (sites are only ever added)
set_sites() {
  local i
  while [ "$sites_now" -lt "$1" ]; do
    i=$((sites_now + 1))
    rpc SitesService/Create "{\"name\":\"s$i\",\"hosts\":[\"s$i.$SITE_HOST\"],\"upstreams\":[\"http://$UPSTREAM_ADDR\"]}"
    sites_now=$i
  done
}
# set_paranoia PL: every configured site in block mode at PL
set_paranoia() {
  local i
  rpc WafService/SetPolicy "{\"site\":\"bench\",\"mode\":\"block\",\"paranoia\":$1}"
  for i in $(seq 2 "$sites_now"); do
    rpc WafService/SetPolicy "{\"site\":\"s$i\",\"mode\":\"block\",\"paranoia\":$1}"
  done
}

results="$tmp/results.tsv"
: >"$results"
fail=0
for n in $SITES; do
  set_sites "$n"
  for pl in $PARANOIA; do
    log "configuration: $n site(s), CRS paranoia $pl"
    set_paranoia "$pl"
    sleep 2
    for l in $LOADS; do
      got="$(wait_for 200 60 "$l")" || { node_alive; echo "FAIL $n sites PL$pl $l: answered $got, want 200"; fail=1; continue; }
      extra=(--timeout 120s)
      [ "$l" != get ] && extra+=(-s "$tmp/$l.lua")
      args=(-t"$(threads_of "$l")" -c"$(conns_of "$l")" "${browser_headers[@]}" "${extra[@]}" "http://$HTTP_ADDR$(path_of "$l")")
      warm_up "$n sites PL$pl $l" "$WARMUP" "${args[@]}"
      log "wrk $n sites PL$pl $l: -t$(threads_of "$l") -c$(conns_of "$l") -d$(duration_of "$l")"
      out="$tmp/wrk-$n-$pl-$l.txt"
      wrk -d"$(duration_of "$l")" --latency "${args[@]}" >"$out" 2>&1 || { cat "$out" >&2; die "wrk $n sites PL$pl $l failed"; }
      printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$pl" "$l" "$(conns_of "$l")" "$got" "$(wrk_stats "$out" | tr ' ' '\t')" >>"$results"
    done
  done
done

kill -0 "$tiyi_pid" 2>/dev/null || { tail -n 50 "$tiyi_log" >&2; die "tiyi died during the run"; }
tiyi_problems="$(grep -cE '^(WARN|ERROR)|Exception' "$tiyi_log" || true)"
if [ "$tiyi_problems" -gt 0 ]; then
  echo "--- tiyi log: $tiyi_problems WARN/ERROR/exception line(s), first 10:"
  grep -E '^(WARN|ERROR)|Exception' "$tiyi_log" | head -n 10
fi
echo "--- $(grep -m1 'starting tiyi' "$tiyi_log" | sed 's/^INFO //'); CRS $(cat "$crs_dir/VERSION" 2>/dev/null || echo '?'); $(nproc) CPUs"

# --- summary, markdown table and chart -------------------------------------------------------

mkdir -p "$(dirname "$CHART")" "$(dirname "$TABLE")"
python3 - "$results" "$tmp" "$TABLE" "$DURATION" "$WARMUP" "$CONNECTIONS" "$BODY_CONNECTIONS" "$default_400" "$default_503" "$raised" "$BODY_DURATION" <<'PY' || fail=1
import sys
results, tmp, table, dur, warm, conns, bconns, r400, r503, raised, bdur = sys.argv[1:12]
names = {"get": "benign GET", "post": "form POST", "json64k": "64 KB JSON", "json1m": "1 MB JSON", "args10k": "10k-argument form"}
rows = []
for line in open(results):
    n, pl, load, c, answered, rps, p50, p99, reqs, sock, non2xx = line.rstrip("\n").split("\t")
    num = lambda v: None if v == "-" else float(v)
    rows.append(dict(n=int(n), pl=int(pl), load=load, c=int(c), answered=answered, rps=num(rps), p50=num(p50), p99=num(p99),
                     reqs=reqs, sock=int(sock), non2xx=int(non2xx)))
fmt = lambda v, f: "n/a" if v is None else f.format(v)
def ms(v):
    if v is None: return "n/a"
    return f"{v:,.0f}" if v >= 100 else f"{v:.1f}" if v >= 10 else f"{v:.2f}"
def rate(v):
    if v is None: return "n/a"
    return f"{v:,.0f}" if v >= 100 else f"{v:.1f}" if v >= 10 else f"{v:.2f}"

print()
print(f"=== summary: wrk --latency after a {warm} warm-up; get/post -d{dur} with {conns} connections, large bodies -d{bdur} with {bconns}")
print(f"{'sites':>5} {'PL':>3} {'load':19}{'conns':>6}{'answered':>9}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'non-2xx':>9}{'sock err':>9}")
for r in rows:
    print(f"{r['n']:>5} {r['pl']:>3} {names[r['load']]:19}{r['c']:>6}{r['answered']:>9}{fmt(r['rps'], '{:.1f}'):>10}"
          f"{fmt(r['p50'], '{:.2f}'):>10}{fmt(r['p99'], '{:.2f}'):>10}{r['non2xx']:>9}{r['sock']:>9}")

by = {(r["n"], r["pl"], r["load"]): r for r in rows}
configs = sorted({(r["n"], r["pl"]) for r in rows})
slopes = {}
for n, pl in configs:
    a, b = by.get((n, pl, "json64k")), by.get((n, pl, "json1m"))
    if a and b and a["p50"] is not None and b["p50"] is not None:
        slopes[(n, pl)] = (b["p50"] - a["p50"]) / ((1048576 - 65536) / 1024)
print()
for (n, pl), s in slopes.items():
    print(f"JSON body slope, {n} site(s), PL{pl}: {s:.3f} ms per KB (p50 of 1 MB minus 64 KB, over 960 KB)")
defaults = "; ".join(x for x in (f"answered 400 (body over waf.limits.*):{r400}" if r400 else "",
                                  f"answered 503 (over waf.budget.*):{r503}" if r503 else "") if x)
if defaults:
    print("With the node's default limits: " + defaults + ". Raised for this run:"
          + (" waf.limits.max_args 200000, waf.limits.max_arg_bytes 4 MiB" if "limits" in raised else "")
          + (" waf.budget.time 5m, waf.budget.regex_steps 1e11" if "budget" in raised else "") + ".")

# Markdown: one row per load and site count, req/s and p99 per paranoia level.
pls = sorted({r["pl"] for r in rows})
loads = [l for l in names if any(r["load"] == l for r in rows)]
md = ["| load | sites | " + " | ".join(f"PL{p} req/s | PL{p} p99 ms" for p in pls) + " |",
      "|---|---:|" + "---:|---:|" * len(pls)]
for l in loads:
    for n in sorted({r["n"] for r in rows}):
        cells = []
        for p in pls:
            r = by.get((n, p, l))
            cells += [rate(r["rps"]) if r else "", ms(r["p99"]) if r else ""]
        md.append(f"| {names[l]} | {n} | " + " | ".join(cells) + " |")
if slopes:
    md.append("")
    md.append("JSON bodies, p50 of 1 MB minus p50 of 64 KB over 960 KB: " +
              "; ".join(f"{n} site{'s' if n > 1 else ''} PL{pl} {s:.3f} ms per KB" for (n, pl), s in slopes.items()) + ".")
if defaults:
    md.append("")
    md.append("With the node's default limits the large loads " + defaults.replace("answered", "are answered") + "; "
              "this table was measured with" + (" `waf.limits.max_args` 200000 and `waf.limits.max_arg_bytes` 4 MiB" if "limits" in raised else "")
              + (" and" if "limits" in raised and "budget" in raised else "")
              + (" `waf.budget.time` 5m and `waf.budget.regex_steps` 1e11" if "budget" in raised else "") + ".")
text = "\n".join(md) + "\n"
open(table, "w").write(text)
print()
print(f"=== markdown table (also in {table})")
print(text)

# gnuplot data: one column per configuration, one row per load.
with open(f"{tmp}/chart.dat", "w") as f:
    f.write('"load" ' + " ".join(f'"{n} site{"s" if n > 1 else ""}, PL{pl}"' for n, pl in configs) + "\n")
    for i, l in enumerate(loads):
        f.write(f'"{names[l]}" ' + " ".join(fmt(by[(n, pl, l)]["rps"] if (n, pl, l) in by else None, "{:.3f}").replace("n/a", "NaN") for n, pl in configs) + "\n")
with open(f"{tmp}/chart-p99.dat", "w") as f:
    f.write('"load" ' + " ".join(f'"{n} site{"s" if n > 1 else ""}, PL{pl}"' for n, pl in configs) + "\n")
    for l in loads:
        f.write(f'"{names[l]}" ' + " ".join(fmt(by[(n, pl, l)]["p99"] if (n, pl, l) in by else None, "{:.3f}").replace("n/a", "NaN") for n, pl in configs) + "\n")
open(f"{tmp}/columns", "w").write(str(len(configs) + 1))

bad = [r for r in rows if r["rps"] is None or r["sock"] or r["non2xx"]]
for r in bad:
    print(f"FAIL {r['n']} sites PL{r['pl']} {r['load']}: req/s {r['rps']}, {r['sock']} socket errors, {r['non2xx']} non-2xx/3xx")
sys.exit(1 if bad else 0)
PY

cols="$(cat "$tmp/columns")"
gnuplot <<EOF
set terminal pngcairo size 1000,700 font ",10"
set output "$CHART"
set multiplot layout 2,1 title "Tiyi + OWASP CRS: req/s and p99 per load (wrk, $DURATION after a $WARMUP warm-up)"
set style data linespoints
set logscale y
set grid ytics
set key outside right
set ylabel "req/s"
plot for [i=2:$cols] "$tmp/chart.dat" using i:xtic(1) title columnheader(i)
set ylabel "p99 latency, ms"
plot for [i=2:$cols] "$tmp/chart-p99.dat" using i:xtic(1) title columnheader(i)
unset multiplot
EOF
echo "chart: $CHART"
exit "$fail"
