#!/usr/bin/env bash
# Request events at saturation: one minimal endpoint in three builds (no events / KafkaFast middleware / the same
# event written the usual way over Confluent.Kafka), driven by wrk. Prints requests/s, CPU per request (server
# process user+sys from /proc/<pid>/stat over the measured run), CPU added per event (vs. no events), latency p50/p99.
# The broker (KafkaFast's embedded cluster) runs in its own process, so its CPU is not counted as the server's.
#
#   bench/aspnet-wrk.sh                       DURATION=20 WARMUP=10 CONNECTIONS=32 THREADS=1 ROUNDS=1 by default (warm-up lets tiered JIT finish)
#   ROUNDS=3 DURATION=30 bench/aspnet-wrk.sh  repeat the three variants, interleaved
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-20}
WARMUP=${WARMUP:-10}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-1}
ROUNDS=${ROUNDS:-1}
PORT=${PORT:-5090}
VARIANTS=${VARIANTS:-"none kafkafast confluent"}

if ! command -v wrk >/dev/null; then
  echo "installing wrk (Debian package)" >&2
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi
command -v curl >/dev/null || { apt-get update -qq && apt-get install -y -qq curl >/dev/null; }

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build bench/KafkaFast.AspNetCore.Benchmarks -c Release -v quiet -nologo >/dev/null
BIN=bench/KafkaFast.AspNetCore.Benchmarks/bin/Release/net10.0/KafkaFast.AspNetCore.Benchmarks.dll
work=$(mktemp -d)
CLK_TCK=$(getconf CLK_TCK)

# The broker: its own process, alive while its stdin (a fifo we hold open) is open.
mkfifo "$work/broker.in"
dotnet "$BIN" broker <"$work/broker.in" >"$work/broker.out" 2>&1 &
broker_pid=$!
exec 9>"$work/broker.in"
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  exec 9>&- || true
  wait "$broker_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
for _ in $(seq 100); do grep -q '^BOOTSTRAP ' "$work/broker.out" && break; sleep 0.1; done
bootstrap=$(awk '/^BOOTSTRAP /{print $2}' "$work/broker.out")
[ -n "$bootstrap" ] || { echo "broker did not start:"; cat "$work/broker.out"; exit 1; }

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
to_us() { # wrk latency "812.00us" / "1.23ms" / "1.02s" -> microseconds
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) print n; else if (v ~ /ms$/) print n * 1000; else if (v ~ /s$/) print n * 1000000; else print n }'
}

echo "machine: $(nproc) cores, load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "wrk: $THREADS thread(s), $CONNECTIONS connections, ${WARMUP}s warm-up + ${DURATION}s measured per variant; broker at $bootstrap"
printf '%-10s %12s %14s %10s %10s  %s\n' variant "requests/s" "CPU us/req" "p50 us" "p99 us" "server's own count"
declare -A cpu_sum runs
for round in $(seq "$ROUNDS"); do
  for variant in $VARIANTS; do
    dotnet "$BIN" server "$variant" "$bootstrap" "$PORT" >"$work/server.out" 2>&1 &
    server_pid=$!
    for _ in $(seq 200); do curl -sf "http://127.0.0.1:$PORT/hello" >/dev/null 2>&1 && break; sleep 0.05; done
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" "http://127.0.0.1:$PORT/hello" >/dev/null
    before=$(cpu_ticks "$server_pid")
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "http://127.0.0.1:$PORT/hello" >"$work/wrk.out"
    after=$(cpu_ticks "$server_pid")
    kill -TERM "$server_pid"; wait "$server_pid" || true; server_pid=
    requests=$(awk '/requests in/{print $1}' "$work/wrk.out")
    rps=$(awk '/Requests\/sec/{print $2}' "$work/wrk.out")
    p50=$(to_us "$(awk '$1=="50%"{print $2}' "$work/wrk.out")")
    p99=$(to_us "$(awk '$1=="99%"{print $2}' "$work/wrk.out")")
    errors=$(awk '/Non-2xx|Socket errors/{print}' "$work/wrk.out" | tr '\n' ' ')
    cpu_us=$(awk -v t=$((after - before)) -v hz="$CLK_TCK" -v n="$requests" 'BEGIN { printf "%.2f", t / hz * 1e6 / n }')
    result=$(awk '/^RESULT/{ $1=""; $2=""; print }' "$work/server.out" | sed 's/^ *//')
    printf '%-10s %12s %14s %10s %10s  %s %s\n' "$variant" "$rps" "$cpu_us" "$p50" "$p99" "${result:--}" "$errors"
    cpu_sum[$variant]=$(awk -v a="${cpu_sum[$variant]:-0}" -v b="$cpu_us" 'BEGIN { print a + b }')
    runs[$variant]=$(( ${runs[$variant]:-0} + 1 ))
  done
done

avg() { awk -v s="${cpu_sum[$1]:-0}" -v n="${runs[$1]:-1}" 'BEGIN { printf "%.2f", s / n }'; }
if [ -n "${runs[none]:-}" ]; then
  base=$(avg none)
  echo
  echo "mean CPU per request: none $base us$( [ -n "${runs[kafkafast]:-}" ] && echo ", kafkafast $(avg kafkafast) us")$( [ -n "${runs[confluent]:-}" ] && echo ", confluent $(avg confluent) us")"
  if [ -n "${runs[kafkafast]:-}" ] && [ -n "${runs[confluent]:-}" ]; then
    awk -v b="$base" -v k="$(avg kafkafast)" -v c="$(avg confluent)" 'BEGIN {
      ratio = 0; if (c - b > 0) ratio = (k - b) / (c - b)
      printf "CPU added per event: kafkafast %.2f us, confluent %.2f us; kafkafast/confluent = %.2f (target <= 0.40)\n", k - b, c - b, ratio }'
  fi
fi
echo
echo "request thread only (no HTTP, middleware invoked directly, best of 5 x 200,000):"
dotnet "$BIN" inproc "$bootstrap" | sed 's/^INPROC /  /'
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
