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
