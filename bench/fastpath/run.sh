#!/usr/bin/env bash
# Per-request CPU micro benchmark: keep-alive requests through each proxy, one proxy at a time.
# Proxy pinned to CPU 0; nginx upstream and the load generator pinned to CPU 1 (PERFORMANCE.md's setup).
# Usage: bench/fastpath/run.sh [targets...]   targets: direct nginx node fast http-proxy fastify (default: all)
# Env: SCENARIO small (20-byte GET, default) | 64k (64 KB response) | upload (1 MB POST) | h2 (h2c GET, h2load),
#      DURATION (s, default 10), CONNS (default 50), ROUNDS (default 1; medians are reported),
#      BASE_PORT (default 47310), PROFILE=1 (cpu-prof the fast path), NODE_FLAGS (more node flags for
#      node and fast, e.g. --trace-gc: the output is in the run's temp dir, <target>.log)
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${DURATION:-10}
CONNS=${CONNS:-50}
ROUNDS=${ROUNDS:-1}
BASE=${BASE_PORT:-47310}
UP=$BASE; NGINX_PROXY=$((BASE + 1)); PROXY=$((BASE + 2))
W=$(mktemp -d /tmp/sluice-fastpath-bench.XXXXXX)
SCENARIO=${SCENARIO:-small}
case "$SCENARIO" in
  small) URLPATH=/ ;;
  64k) URLPATH=/64k ;;
  upload) URLPATH=/upload ;;
  h2) URLPATH=/ ;;
  *) echo "SCENARIO must be small, 64k, upload or h2"; exit 1 ;;
esac
# The Node peers have no HTTP/2 server.
DEFAULT_TARGETS="direct nginx node fast http-proxy fastify"
[ "$SCENARIO" = h2 ] && DEFAULT_TARGETS="nginx node fast"
TARGETS=${*:-$DEFAULT_TARGETS}
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install -y wrk)"; exit 1; }
command -v nginx >/dev/null || { echo "nginx is not installed (apt-get install -y nginx)"; exit 1; }
[ "$SCENARIO" != h2 ] || command -v h2load >/dev/null || { echo "h2load is not installed (apt-get install -y nghttp2-client)"; exit 1; }

nginx_conf() { # $1 = file, $2 = server block
  cat > "$1" <<NGX
daemon off; master_process off; worker_processes 1; error_log $W/error.log crit; pid $1.pid;
events { worker_connections 4096; }
http {
  access_log off; keepalive_requests 10000000; keepalive_timeout 65;
  client_body_temp_path $W; proxy_temp_path $W; fastcgi_temp_path $W; uwsgi_temp_path $W; scgi_temp_path $W;
  upstream up { server 127.0.0.1:$UP; keepalive 128; }
  $2
}
NGX
}
wait_port() { for _ in $(seq 1 1200); do (echo > /dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.05; done; echo "port $1 did not open"; exit 1; }

mkdir -p "$W/www" && head -c 65536 /dev/zero | tr '\0' x > "$W/www/64k"
# /upload reads the whole body before answering (proxied to / without it).
nginx_conf "$W/upstream.conf" "server { listen 127.0.0.1:$UP; location = /64k { root $W/www; }
  location = /upload { client_max_body_size 2m; client_body_buffer_size 2m; proxy_pass http://up/; proxy_http_version 1.1; proxy_set_header Connection ''; proxy_pass_request_body off; proxy_set_header Content-Length ''; }
  location / { return 200 '01234567890123456789'; } }"
H2FLAG=""; [ "$SCENARIO" = h2 ] && H2FLAG=" http2"
nginx_conf "$W/proxy.conf" "server { listen 127.0.0.1:$NGINX_PROXY$H2FLAG; client_max_body_size 2m; location / { proxy_pass http://up; proxy_http_version 1.1; proxy_set_header Connection ''; proxy_request_buffering off; } }"
node --import tsx bench/fastpath/config.ts "$W/cfg" "$UP"
printf 'wrk.method = "POST"\nwrk.body = string.rep("x", 1048576)\nwrk.headers["Content-Type"] = "application/octet-stream"\n' > "$W/upload.lua"

taskset -c 1 nginx -c "$W/upstream.conf" & PIDS+=($!)
wait_port "$UP"

wait_free() { for _ in $(seq 1 200); do (echo > /dev/tcp/127.0.0.1/"$1") 2>/dev/null || return 0; sleep 0.05; done; echo "port $1 still in use"; exit 1; }
wait_ok() {
  local h2=(); [ "$SCENARIO" = h2 ] && h2=(--http2-prior-knowledge)
  for _ in $(seq 1 600); do [ "$(curl -s "${h2[@]}" -o /dev/null -w '%{http_code}' -H 'Host: bench.example.com' "http://127.0.0.1:$1/")" = 200 ] && return 0; sleep 0.05; done
  echo "port $1 never answered 200"; exit 1
}
start() { # $1 = target; sets PORT (not in a subshell: PIDS must see the process)
  [ "$1" = direct ] || wait_free "$PROXY"
  case "$1" in
    direct) PORT=$UP ;;
    nginx) taskset -c 0 nginx -c "$W/proxy.conf" >/dev/null & PIDS+=($!); PORT=$NGINX_PROXY ;;
    node | fast)
      local flags=(); [ "$1" = node ] && flags=(--no-fast-path)
      local prof=(); [ "$1" = fast ] && [ "${PROFILE:-0}" = 1 ] && prof=(--cpu-prof --cpu-prof-dir="$W/prof")
      # shellcheck disable=SC2086 # NODE_FLAGS is a list of flags
      taskset -c 0 node "${prof[@]}" ${NODE_FLAGS:-} --import tsx src/cli/main.ts serve --config "$W/cfg" --http 127.0.0.1:$PROXY \
        --local 127.0.0.1:$((PROXY + 10)) --admin 127.0.0.1:$((PROXY + 11)) --log-level warn "${flags[@]}" >"$W/$1.log" 2>&1 & PIDS+=($!)
      PORT=$PROXY ;;
    http-proxy) taskset -c 0 node bench/fastpath/peer-http-proxy.mjs $PROXY "$UP" & PIDS+=($!); PORT=$PROXY ;;
    fastify) taskset -c 0 node bench/fastpath/peer-fastify.mjs $PROXY "$UP" & PIDS+=($!); PORT=$PROXY ;;
  esac
  wait_port "$PORT"
  wait_ok "$PORT"
}

cpu_ticks() { [ -n "${1:-}" ] && awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
load() { # $1 = port, $2 = seconds, $3 = proxy pid -> "req/s p99 cpu-us-per-request"
  local c0; c0=$(cpu_ticks "${3:-}")
  local rps p99 total errs
  if [ "$SCENARIO" = h2 ]; then
    # 5 connections x 10 streams: 50 requests in flight, as with wrk -c50.
    taskset -c 1 h2load -t1 -c"$(( (CONNS + 9) / 10 ))" -m10 -D"$2" -H ':authority: bench.example.com' --log-file="$W/h2load.log" "http://127.0.0.1:$1$URLPATH" >"$W/wrk.out" 2>&1
    total=$(awk '/^requests:/ {print $8}' "$W/wrk.out")
    rps=$(awk -v n="$total" -v d="$2" 'BEGIN { printf "%.2f", n / d }')
    p99=$(awk '{ print $3 }' "$W/h2load.log" | sort -n | awk '{ a[NR] = $1 } END { i = int(NR * 0.99); if (i < 1) i = 1; printf "%.3fms", a[i] / 1000 }')
    errs=$(awk '/^requests:/ && $10 != 0 {print "errors: " $0}' "$W/wrk.out")
  else
    local script=(); [ "$SCENARIO" = upload ] && script=(-s "$W/upload.lua")
    taskset -c 1 wrk -t1 -c"$CONNS" -d"$2"s --latency "${script[@]}" -H 'Host: bench.example.com' "http://127.0.0.1:$1$URLPATH" >"$W/wrk.out" 2>&1
    rps=$(awk '/Requests\/sec/ {print $2}' "$W/wrk.out")
    p99=$(awk '$1 == "99%" {print $2}' "$W/wrk.out")
    total=$(awk '/requests in/ {print $1}' "$W/wrk.out")
    errs=$(awk '/Non-2xx|Socket errors/ {printf "%s ", $0}' "$W/wrk.out")
  fi
  local c1; c1=$(cpu_ticks "${3:-}")
  # CPU time the proxy spent per request (user+sys, all its threads): steadier than req/s on a
  # machine shared with other work, since waiting for a CPU costs throughput but not CPU time.
  local us; us=$(awk -v a="$c0" -v b="$c1" -v n="$total" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", (b - a) / hz * 1e6 / n }')
  echo "$rps $p99 $us ${errs:-}"
}

# Rounds interleave the targets, so load from other processes on the machine hits them all alike;
# the table shows the median of the rounds.
declare -A ALL_RPS ALL_P99 ALL_US NOTES
for round in $(seq 1 "$ROUNDS"); do
  for t in $TARGETS; do
    start "$t"
    pid=""; [ "$t" = direct ] || pid=${PIDS[-1]}
    load "$PORT" 2 "$pid" >/dev/null # warm-up (JIT, upstream connections)
    read -r rps p99 us notes < <(load "$PORT" "$DURATION" "$pid")
    echo "round $round: $t $rps req/s p99 $p99 cpu/req ${us}us ${notes:-}" >&2
    ALL_US[$t]="${ALL_US[$t]:-} $us"
    ALL_RPS[$t]="${ALL_RPS[$t]:-} $rps"
    ALL_P99[$t]="${ALL_P99[$t]:-} $(awk -v v="$p99" 'BEGIN { if (v ~ /us$/) printf "%.3f", v / 1000; else if (v ~ /ms$/) printf "%.3f", v + 0; else printf "%.3f", v * 1000 }')"
    NOTES[$t]="${NOTES[$t]:-}${notes:-}"
    # Stop this proxy before the next one (one proxy on CPU 0 at a time).
    if [ "$t" != direct ]; then kill "${PIDS[-1]}" 2>/dev/null || true; wait "${PIDS[-1]}" 2>/dev/null || true; unset 'PIDS[-1]'; fi
  done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
NGX=$(echo "${ALL_RPS[nginx]:-}" | median)
NU=$(echo "${ALL_US[nginx]:-}" | median)
printf '\n%-11s %10s %10s %9s %9s %10s %11s  %s\n' target 'req/s' 'p99 (ms)' 'x nginx' 'p99/ngx' 'cpu us/req' 'ngx cpu/cpu' notes
for t in $TARGETS; do
  r=$(echo "${ALL_RPS[$t]}" | median); l=$(echo "${ALL_P99[$t]}" | median)
  NL=$(echo "${ALL_P99[nginx]:-}" | median)
  u=$(echo "${ALL_US[$t]}" | median)
  printf '%-11s %10.0f %10.2f %9s %9s %10s %11s  %s\n' "$t" "$r" "$l" \
    "$( [ -n "$NGX" ] && awk -v a="$r" -v b="$NGX" 'BEGIN { printf "%.2f", a / b }' || echo -)" \
    "$( [ -n "$NL" ] && awk -v a="$l" -v b="$NL" 'BEGIN { printf "%.2f", a / b }' || echo -)" "$u" \
    "$( [ -n "$NU" ] && [ "$t" != direct ] && awk -v a="$u" -v b="$NU" 'BEGIN { printf "%.2f", b / a }' || echo -)" "${NOTES[$t]:-}"
done
[ "${PROFILE:-0}" = 1 ] && echo "cpu profiles: $W/prof"
exit 0
