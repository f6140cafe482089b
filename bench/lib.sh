# Helpers shared by the bench/ scripts; sourced, not run.

log() { echo "== $*" >&2; }
die() { echo "ERROR $*" >&2; exit 1; }

apt_updated=0
# apt_install PACKAGE...: as root, without recommended packages (libnginx-mod-http-modsecurity
# recommends Debian's modsecurity-crs, which would also become Tiyi's default rule set).
apt_install() {
  [ "$(id -u)" -eq 0 ] || die "$1 is missing and not running as root; install it (apt-get install $*)"
  if [ "$apt_updated" -eq 0 ]; then
    apt-get update -qq >/dev/null
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# port_free HOST:PORT: true when nothing listens there.
port_free() {
  ! (exec 3<>"/dev/tcp/${1%:*}/${1##*:}") 2>/dev/null
}

# stop_pid PID NAME [group]: SIGTERM (to the process group when asked), wait up to 15 s, then SIGKILL.
stop_pid() {
  local pid="$1" target="$1" i
  [ -n "$pid" ] || return 0
  [ "${3:-}" = group ] && target="-$pid"
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM -- "$target" 2>/dev/null || true
  for i in $(seq 1 150); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "WARN $2 (pid $pid) did not stop on SIGTERM; killing it" >&2
    kill -KILL -- "$target" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

# site_counters ADMIN_ADDR SITE: Tiyi's per-class response counters of a site.
site_counters() {
  curl -s "http://$1/metrics" | grep -E "^tiyi_proxy_site_$2_responses_[0-9]xx_total " || true
}

# start_tiyi TIYI ADMIN_ADDR HTTP_ADDR STATE_DIR LOG TIMEOUT_S: starts a node in its own process group
# (so a jar build still running is stopped with it), sets tiyi_pid, waits for "ready on".
start_tiyi() {
  local tiyi="$1" admin="$2" http="$3" state="$4" logf="$5" timeout="$6" deadline
  log "starting tiyi (admin $admin, data plane $http); the first run may build the jar"
  setsid "$tiyi" server --addr "$admin" --state-dir "$state" --http-addr "$http" >"$logf" 2>&1 &
  tiyi_pid=$!
  deadline=$((SECONDS + timeout))
  until grep -q "ready on" "$logf" 2>/dev/null; do
    if ! kill -0 "$tiyi_pid" 2>/dev/null; then
      cat "$logf" >&2
      die "tiyi exited before it was ready"
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      cat "$logf" >&2
      die "tiyi not ready after ${timeout}s"
    fi
    sleep 0.2
  done
}

# cpu_busy: percent of all CPUs busy over one second. wrk, nginx and Tiyi share the machine's
# cores, so anything else running lowers every figure.
cpu_busy() {
  local a b total=0 idle i
  read -r -a a < <(grep '^cpu ' /proc/stat)
  sleep 1
  read -r -a b < <(grep '^cpu ' /proc/stat)
  for i in 1 2 3 4 5 6 7 8; do total=$((total + b[i] - a[i])); done
  idle=$((b[4] - a[4] + b[5] - a[5]))
  [ "$total" -gt 0 ] && echo $((100 * (total - idle) / total)) || echo 0
}

# warn_if_busy: a warning when other processes already use the CPUs.
warn_if_busy() {
  local busy
  busy="$(cpu_busy)"
  [ "$busy" -gt 15 ] && echo "WARN the CPUs are ${busy}% busy before the run: other processes compete with the benchmark" >&2
  return 0
}

# need_load_tools: wrk, nginx, curl and python3, installed with apt-get when missing (as root);
# sets nginx_bin.
need_load_tools() {
  command -v wrk >/dev/null 2>&1 || { log "installing wrk"; apt_install wrk; }
  nginx_bin="$(command -v nginx 2>/dev/null || true)"
  [ -z "$nginx_bin" ] && [ -x /usr/sbin/nginx ] && nginx_bin=/usr/sbin/nginx
  if [ -z "$nginx_bin" ]; then
    log "installing nginx"
    apt_install nginx
    nginx_bin="$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)"
  fi
  command -v curl >/dev/null 2>&1 || { log "installing curl"; apt_install curl; }
  command -v python3 >/dev/null 2>&1 || die "python3 is needed to summarise the results"
}

# nginx_conf NAME WORKERS MAIN_LINES SERVER_BODY: writes $tmp/NAME/nginx.conf, an nginx with
# access log off, long keep-alive and an upstream "app" at $UPSTREAM_ADDR.
nginx_conf() {
  local d="$tmp/$1"
  mkdir -p "$d/temp"
  cat >"$d/nginx.conf" <<NGINX
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
  client_max_body_size 64m;
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
NGINX
}

# start_nginx NAME ADDR PID_VAR: starts the nginx of $tmp/NAME, sets PID_VAR, waits until ADDR listens.
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

# start_upstream PID_VAR: the upstream every benchmark proxies to, one nginx worker answering
# "200 ok" on $UPSTREAM_ADDR (request bodies are read and discarded).
start_upstream() {
  nginx_conf upstream 1 "" "    listen $UPSTREAM_ADDR;
    location / { return 200 \"ok\\n\"; }"
  log "starting nginx upstream on $UPSTREAM_ADDR"
  start_nginx upstream "$UPSTREAM_ADDR" "$1"
}

# warm_up LABEL TOTAL_SECONDS WRK_ARGS...: runs the load in 5 s steps for TOTAL_SECONDS and logs
# each step's req/s, so a run shows whether the target (a JIT-compiled one above all) had reached
# a steady rate before it was measured.
warm_up() {
  local label="$1" total="${2%s}" step=5 done_s=0 rates="" out
  shift 2
  [ "$total" -gt 0 ] || return 0
  out="$(mktemp "${TMPDIR:-/tmp}/tiyi-warmup.XXXXXX")"
  while [ "$done_s" -lt "$total" ]; do
    [ $((total - done_s)) -lt "$step" ] && step=$((total - done_s))
    wrk -d"${step}s" "$@" >"$out" 2>&1 || { cat "$out" >&2; rm -f "$out"; die "wrk warm-up $label failed"; }
    rates="$rates $(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$out" | cut -d. -f1)"
    done_s=$((done_s + step))
  done
  rm -f "$out"
  log "warm-up $label ${total}s, req/s per step:$rates"
}

# wrk_stats FILE: "rps p50_ms p99_ms requests socket_errors non2xx" of a wrk --latency report
# ("-" for what it lacks).
wrk_stats() {
  python3 - "$1" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def ms(v):
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", v)
    return "-" if not m else "%.3f" % (float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[m.group(2)])
def grab(p, f=lambda s: s):
    m = re.search(p, text, re.M)
    return f(m.group(1)) if m else "-"
m = re.search(r"Socket errors:\s*connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
print(grab(r"Requests/sec:\s+([\d.]+)"), grab(r"^\s+50%\s+(\S+)", ms), grab(r"^\s+99%\s+(\S+)", ms),
      grab(r"(\d+) requests in"), sum(map(int, m.groups())) if m else 0, grab(r"Non-2xx or 3xx responses:\s*(\d+)") if "Non-2xx" in text else 0)
PY
}
