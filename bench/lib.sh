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
