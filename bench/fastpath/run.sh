#!/usr/bin/env bash
# Fast-path micro benchmark: small keep-alive GETs (20-byte body) through each proxy, one at a time.
# Proxy pinned to CPU 0; nginx upstream and wrk pinned to CPU 1 (PERFORMANCE.md's setup).
# Usage: bench/fastpath/run.sh [targets...]   targets: direct nginx node fast http-proxy fastify (default: all)
# Env: DURATION (s, default 10), CONNS (default 50), ROUNDS (default 1; medians are reported), BASE_PORT (default 47310), PROFILE=1 (cpu-prof the fast path)
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${DURATION:-10}
CONNS=${CONNS:-50}
ROUNDS=${ROUNDS:-1}
BASE=${BASE_PORT:-47310}
UP=$BASE; NGINX_PROXY=$((BASE + 1)); PROXY=$((BASE + 2))
W=$(mktemp -d /tmp/sluice-fastpath-bench.XXXXXX)
TARGETS=${*:-direct nginx node fast http-proxy fastify}
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install -y wrk)"; exit 1; }
command -v nginx >/dev/null || { echo "nginx is not installed (apt-get install -y nginx)"; exit 1; }

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

nginx_conf "$W/upstream.conf" "server { listen 127.0.0.1:$UP; location / { return 200 '01234567890123456789'; } }"
nginx_conf "$W/proxy.conf" "server { listen 127.0.0.1:$NGINX_PROXY; location / { proxy_pass http://up; proxy_http_version 1.1; proxy_set_header Connection ''; } }"
node --import tsx bench/fastpath/config.ts "$W/cfg" "$UP"

taskset -c 1 nginx -c "$W/upstream.conf" & PIDS+=($!)
wait_port "$UP"

wait_free() { for _ in $(seq 1 200); do (echo > /dev/tcp/127.0.0.1/"$1") 2>/dev/null || return 0; sleep 0.05; done; echo "port $1 still in use"; exit 1; }
wait_ok() { for _ in $(seq 1 600); do [ "$(curl -s -o /dev/null -w '%{http_code}' -H 'Host: bench.example.com' "http://127.0.0.1:$1/")" = 200 ] && return 0; sleep 0.05; done; echo "port $1 never answered 200"; exit 1; }
start() { # $1 = target; sets PORT (not in a subshell: PIDS must see the process)
  [ "$1" = direct ] || wait_free "$PROXY"
  case "$1" in
    direct) PORT=$UP ;;
    nginx) taskset -c 0 nginx -c "$W/proxy.conf" >/dev/null & PIDS+=($!); PORT=$NGINX_PROXY ;;
    node | fast)
      local flags=(); [ "$1" = node ] && flags=(--no-fast-path)
      local prof=(); [ "$1" = fast ] && [ "${PROFILE:-0}" = 1 ] && prof=(--cpu-prof --cpu-prof-dir="$W/prof")
      taskset -c 0 node "${prof[@]}" --import tsx src/cli/main.ts serve --config "$W/cfg" --http 127.0.0.1:$PROXY \
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
  taskset -c 1 wrk -t1 -c"$CONNS" -d"$2"s --latency -H 'Host: bench.example.com' "http://127.0.0.1:$1/" >"$W/wrk.out" 2>&1
  local rps p99
  rps=$(awk '/Requests\/sec/ {print $2}' "$W/wrk.out")
  p99=$(awk '$1 == "99%" {print $2}' "$W/wrk.out")
  local c1 total; c1=$(cpu_ticks "${3:-}")
  total=$(awk '/requests in/ {print $1}' "$W/wrk.out")
  # CPU time the proxy spent per request (user+sys, all its threads): steadier than req/s on a
  # machine shared with other work, since waiting for a CPU costs throughput but not CPU time.
  local us; us=$(awk -v a="$c0" -v b="$c1" -v n="$total" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", (b - a) / hz * 1e6 / n }')
  local errs; errs=$(awk '/Non-2xx|Socket errors/ {printf "%s ", $0}' "$W/wrk.out")
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
