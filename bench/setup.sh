#!/usr/bin/env bash
# Installs the Debian packages `npm run bench` uses: nginx (upstream and a peer), HAProxy (a peer),
# wrk (load generator) and h2load (HTTP/2 load, from nghttp2-client). Idempotent: only what is
# missing is installed. The bench still runs without them (autocannon, a Node upstream) and skips
# the contenders and scenarios whose binaries are absent.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

# command name -> Debian package
declare -A pkg=([nginx]=nginx [haproxy]=haproxy [wrk]=wrk [h2load]=nghttp2-client [taskset]=util-linux)
need=()
for cmd in nginx haproxy wrk h2load taskset; do
  if ! command -v "$cmd" >/dev/null 2>&1 && ! [ -x "/usr/sbin/$cmd" ]; then need+=("${pkg[$cmd]}"); fi
done
if [ ${#need[@]} -eq 0 ]; then
  echo "bench:setup: nginx, haproxy, wrk, h2load and taskset are present"
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "bench:setup: installing ${need[*]}"
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
# Debian starts nginx and HAProxy as services on install; the bench runs its own instances on
# loopback ports, so stop the system ones where a service manager is present (harmless otherwise).
for svc in nginx haproxy; do
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$svc" 2>/dev/null; then $sudo systemctl stop "$svc" || true; fi
  if command -v service >/dev/null 2>&1; then $sudo service "$svc" stop >/dev/null 2>&1 || true; fi
done
echo "bench:setup: done"
