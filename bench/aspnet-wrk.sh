#!/usr/bin/env bash
# What one Kafka event per HTTP request costs an ASP.NET Core server: one minimal endpoint (GET /hello) driven by wrk at
# saturation, in several builds (variants) and configurations (modes), interleaved round by round:
#   variants  none (no events), kafkafast (UseKafkaRequestEvents), confluent (the same event and traceparent written the
#             usual way over Confluent.Kafka), core (the same through KafkaProducer.TryProduceJson from a bare middleware)
#   modes     template (as `dotnet new web` has it: logging on, so every request has an Activity and a traceparent to
#             propagate: the headline), slim (logging cleared: no Activity, no trace header)
# For each run, two loads on the same server process:
#   saturation  wrk -c CONNECTIONS as fast as it goes: requests/s and the server process's CPU per request (user+sys
#               over the run), attributed per thread (/proc/<pid>/task/*/schedstat) to request threads (.NET thread pool
#               + socket engine), KafkaFast's worker, librdkafka's threads, and the rest (GC, timers, JIT, Confluent's
#               poll thread)
#   paced       wrk -c PACED_CONNECTIONS, each connection waiting PACE_MS after every response (bench/aspnet-paced.lua):
#               the same offered load for every build, below saturation: latency p50/p99 compared at the same load,
#               and the server's CPU per request there (per-thread schedstat), where the HTTP stack's own cost per
#               request is the same for every build (at saturation it moves with the request rate)
# Then, per mode, the CPU each variant adds per event over "none" round by round (paired), its median, the ratio
# kafkafast/confluent (at saturation and at the paced load), and the paced p99 against "none". The broker (KafkaFast's embedded cluster) runs in its own
# process, so its CPU is not counted as the server's.
#
#   bench/aspnet-wrk.sh                          the headline (about 20-25 minutes): ROUNDS=5 DURATION=15 WARMUP=8
#                                                CONNECTIONS=32 THREADS=1 PACED_DURATION=10 PACED_CONNECTIONS=16 PACE_MS=1
#   ROUNDS=3 MODES=template VARIANTS="none kafkafast" bench/aspnet-wrk.sh     a quicker look
#   INPROC=0 ...                                 skip the request-thread microbenchmark at the end
#   PROFILE=1 ...                                also perf-record each kafkafast run: the middleware's share of request-thread
#                                                CPU (perf needed), and the CPU attributed per event: that, plus worker,
#                                                librdkafka and other threads over "none"'s in the same round
#   LINGER_MS=20 STICKY_MS=10 ...                both producers' linger.ms and sticky.partitioning.linger.ms (defaults: 5 ms,
#                                                and KafkaFast's default period for that linger: 100 ms, or 20 lingers)
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-15}
WARMUP=${WARMUP:-8}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-1}
PORT=${PORT:-5090}
MODES=${MODES:-"template slim"}
VARIANTS=${VARIANTS:-"none kafkafast confluent"}
INPROC=${INPROC:-1}
PACED_DURATION=${PACED_DURATION:-10}
PACED_CONNECTIONS=${PACED_CONNECTIONS:-16}
PACE_MS=${PACE_MS:-1}
PROFILE=${PROFILE:-0}
export PACE_MS

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

process_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# One line per thread: tid, name, nanoseconds on CPU.
thread_snapshot() {
  local t c n
  for t in /proc/"$1"/task/*; do
    c=$(cat "$t/comm" 2>/dev/null) || continue
    n=$(cut -d' ' -f1 "$t/schedstat" 2>/dev/null) || continue
    printf '%s\t%s\t%s\n' "${t##*/}" "$c" "$n"
  done
}
# CPU per request (us) by thread group, from two snapshots: request kafkafast librdkafka other(named threads left).
thread_split() { # before after requests
  awk -F'\t' -v n="$3" '
    FNR == NR { before[$1] = $3; next }
    {
      d = $3 - (($1 in before) ? before[$1] : 0)
      g = "other"
      if ($2 ~ /^\.NET TP Worker/ || $2 ~ /^\.NET Sockets/ || $2 ~ /^\.NET IOCP/) g = "request"
      else if ($2 ~ /^KafkaFast produ/) g = "kafkafast"
      else if ($2 ~ /^rdk:/) g = "librdkafka"
      sum[g] += d
    }
    END { printf "%.2f %.2f %.2f %.2f", sum["request"] / 1000 / n, sum["kafkafast"] / 1000 / n, sum["librdkafka"] / 1000 / n, sum["other"] / 1000 / n }
  ' "$1" "$2"
}
to_us() { # wrk latency "812.00us" / "1.23ms" / "1.02s" -> microseconds
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) print n; else if (v ~ /ms$/) print n * 1000; else if (v ~ /s$/) print n * 1000000; else print n }'
}

echo "machine: $(nproc) cores, load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "producers: linger ${LINGER_MS:-5} ms, sticky period ${STICKY_MS:-"KafkaFast's default (100 ms, or 20 lingers)"}${STICKY_MS:+ ms}, the same for both"
echo "wrk: $THREADS thread(s), $CONNECTIONS connections, ${WARMUP}s warm-up + ${DURATION}s measured per run; $ROUNDS round(s) of [$MODES] x [$VARIANTS], interleaved; broker at $bootstrap"
echo "CPU columns: us per request, server process (total) and by thread group (request = .NET thread pool + socket engine)"
echo "paced: $PACED_CONNECTIONS connections, ${PACE_MS} ms between a response and the next request on each, ${PACED_DURATION}s"
printf '%-5s %-8s %-17s %8s %8s %8s %8s %8s %8s %8s %8s %8s %8s  %s\n' round mode variant "req/s" total request kafkafast rdkafka other "paced/s" "p50 us" "p99 us" "read back; the producer's own count"
: >"$work/runs"
mismatches=0
for round in $(seq "$ROUNDS"); do
  for mode in $MODES; do
    for variant in $VARIANTS; do
      wm_before=$(dotnet "$BIN" watermarks "$bootstrap" | awk '/^WATERMARKS /{print $2}')
      profiled=0
      if [ "$PROFILE" = 1 ] && [ "$variant" = kafkafast ]; then
        profiled=1
      fi
      if [ "$profiled" = 1 ]; then
        DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 dotnet "$BIN" server "$mode" "$variant" "$bootstrap" "$PORT" >"$work/server.out" 2>&1 &
      else
        dotnet "$BIN" server "$mode" "$variant" "$bootstrap" "$PORT" >"$work/server.out" 2>&1 &
      fi
      server_pid=$!
      for _ in $(seq 200); do curl -sf "http://127.0.0.1:$PORT/hello" >/dev/null 2>&1 && break; sleep 0.05; done
      wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" "http://127.0.0.1:$PORT/hello" >/dev/null
      thread_snapshot "$server_pid" >"$work/threads.before"
      before=$(process_ticks "$server_pid")
      wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "http://127.0.0.1:$PORT/hello" >"$work/wrk.out"
      after=$(process_ticks "$server_pid")
      thread_snapshot "$server_pid" >"$work/threads.after"
      if [ "$profiled" = 1 ]; then
        # A second saturation run under perf (perf's sampling costs the process CPU: not the measured run).
        perf record -F 999 -g -p "$server_pid" -o "$work/perf.data" -- sleep "$DURATION" >/dev/null 2>&1 &
        perf_pid=$!
        wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" "http://127.0.0.1:$PORT/hello" >/dev/null
        wait "$perf_pid" || true
        cp "/tmp/perf-$server_pid.map" "$work/" 2>/dev/null || true
      fi
      thread_snapshot "$server_pid" >"$work/paced.before"
      wrk -t1 -c"$PACED_CONNECTIONS" -d"${PACED_DURATION}s" --latency -s bench/aspnet-paced.lua "http://127.0.0.1:$PORT/hello" >"$work/paced.out"
      thread_snapshot "$server_pid" >"$work/paced.after"
      kill -TERM "$server_pid"; wait "$server_pid" || true
      # Events in the topic (read back with Confluent.Kafka) against the requests the server served (all of them:
      # the readiness probe, warm-up, measured and paced runs).
      wm_after=$(dotnet "$BIN" watermarks "$bootstrap" | awk '/^WATERMARKS /{print $2}')
      served=$(awk '/^SERVED /{print $2}' "$work/server.out")
      events=$((wm_after - wm_before))
      if [ "$variant" = none ]; then
        delivery="served $served, events $events"
      elif [ "$events" = "$served" ]; then
        delivery="events in topic = requests served ($events)"
      else
        delivery="MISMATCH: $events events in topic for $served requests served"
        mismatches=$((mismatches + 1))
      fi
      requests=$(awk '/requests in/{print $1}' "$work/wrk.out")
      rps=$(awk '/Requests\/sec/{printf "%.0f", $2}' "$work/wrk.out")
      paced=$(awk '/Requests\/sec/{printf "%.0f", $2}' "$work/paced.out")
      p50=$(to_us "$(awk '$1=="50%"{print $2}' "$work/paced.out")")
      p99=$(to_us "$(awk '$1=="99%"{print $2}' "$work/paced.out")")
      errors=$(cat "$work/wrk.out" "$work/paced.out" | awk '/Non-2xx|Socket errors/{print}' | tr '\n' ' ')
      total=$(awk -v t=$((after - before)) -v hz="$CLK_TCK" -v n="$requests" 'BEGIN { printf "%.2f", t / hz * 1e6 / n }')
      read -r req kf rdk other <<<"$(thread_split "$work/threads.before" "$work/threads.after" "$requests")"
      paced_requests=$(awk '/requests in/{print $1}' "$work/paced.out")
      read -r preq pkf prdk pother <<<"$(thread_split "$work/paced.before" "$work/paced.after" "$paced_requests")"
      ptotal=$(awk -v a="$preq" -v b="$pkf" -v c="$prdk" -v d="$pother" 'BEGIN { printf "%.2f", a + b + c + d }')
      result=$(awk '/^RESULT/{ $1=""; $2=""; print }' "$work/server.out" | sed 's/^ *//')
      printf '%-5s %-8s %-17s %8s %8s %8s %8s %8s %8s %8s %8s %8s  %s; %s %s\n' "$round" "$mode" "$variant" "$rps" "$total" "$req" "$kf" "$rdk" "$other" "$paced" "$p50" "$p99" "$delivery" "${result:--}" "$errors"
      printf '      at the paced load (%s req/s): server CPU per request %s us (request %s, kafkafast %s, librdkafka %s, other %s)\n' "$paced" "$ptotal" "$preq" "$pkf" "$prdk" "$pother"
      echo "$round $mode $variant $rps $p50 $p99 $total $req $ptotal" >>"$work/runs"
      if [ "$variant" = none ]; then
        none_other=$other
      fi
      if [ "$profiled" = 1 ] && [ -s "$work/perf.data" ]; then
        cp "$work/perf-$server_pid.map" /tmp/ 2>/dev/null || true
        # The middleware's inclusive share of the request threads' samples, times their CPU per request. (Not done for
        # Confluent's: librdkafka has no frame pointers, so Produce's native part never reaches its managed caller in
        # perf's call chains; its request-thread cost is the in-process figure at the end.)
        share=$(perf report -i "$work/perf.data" --stdio --children --percentage absolute --sort sym -g none --comm ".NET TP Worker" 2>/dev/null |
          awk '/KafkaRequestEventsMiddleware::Emit\(/ && !found { gsub("%", "", $1); print $1; found = 1 }' || true)
        all=$(perf report -i "$work/perf.data" --stdio --no-children --sort comm -g none 2>/dev/null |
          awk '$2 == ".NET" && ($3 == "TP" || $3 == "Sockets") { gsub("%", "", $1); s += $1 } END { print s + 0 }' || true)
        awk -v share="${share:-0}" -v all="$all" -v req="$req" -v kf="$kf" -v rdk="$rdk" -v other="$other" -v none_other="${none_other:-}" -v variant="$variant" 'BEGIN {
          if (all <= 0) exit
          on_request = share / all * req
          printf "      profile: the middleware (Emit, inclusive) is %.1f%% of samples, %.1f%% of request-thread samples: %.2f us per event on request threads\n", share, share / all * 100, on_request
          if (none_other != "")
            printf "      attributed: %s %.2f us per event (request threads %.2f + worker %.2f + librdkafka %.2f + other threads %.2f over none)\n", variant, on_request + kf + rdk + other - none_other, on_request, kf, rdk, other - none_other }' |
          tee -a "$work/attributed"
        rm -f "/tmp/perf-$server_pid.map"
      fi
      server_pid=
    done
  done
done

# Per mode: what each variant adds per event over "none" in the same round, then medians.
echo
awk '
  function median(list,    n, a, i, j, t) {
    n = split(list, a, " ")
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  { key = $2 SUBSEP $3; total[$1, $2, $3] = $7; request[$1, $2, $3] = $8; paced[$1, $2, $3] = $9; p99[key] = p99[key] " " $6; rps[key] = rps[key] " " $4
    cpu[key] = cpu[key] " " $7; modes[$2] = 1; variants[$3] = 1; rounds[$1] = 1 }
  END {
    for (m in modes) {
      printf "%s mode: median CPU per request (us): ", m
      for (v in variants) if ((m, v) in cpu) printf "%s %.2f; ", v, median(cpu[m, v])
      printf "\n"
      if (!((m, "none") in cpu)) continue
      for (v in variants) {
        if (v == "none" || !((m, v) in cpu)) continue
        list = ""; rlist = ""; plist = ""
        for (r in rounds) if (((r, m, v) in total) && ((r, m, "none") in total)) {
          list = list sprintf(" %.2f", total[r, m, v] - total[r, m, "none"])
          rlist = rlist sprintf(" %.2f", request[r, m, v] - request[r, m, "none"])
          plist = plist sprintf(" %.2f", paced[r, m, v] - paced[r, m, "none"])
        }
        padded[m, v] = median(plist); pl[m, v] = plist
        added[m, v] = median(list)
        printf "  %-17s adds per event (rounds:%s) median %.2f us; on request threads (rounds:%s) median %.2f us; paced p99 %.0f vs %.0f us (%+.1f%%, target within 5%%); req/s %.0f vs %.0f\n",
          v, list, added[m, v], rlist, median(rlist), median(p99[m, v]), median(p99[m, "none"]), (median(p99[m, v]) / median(p99[m, "none"]) - 1) * 100, median(rps[m, v]), median(rps[m, "none"])
      }
      for (v in variants) if (v != "none" && ((m, v) in padded))
        printf "  %-17s adds per event at the paced load (same requests/s for every build; rounds:%s) median %.2f us\n", v, pl[m, v], padded[m, v]
      if (((m, "kafkafast") in added) && ((m, "confluent") in added) && added[m, "confluent"] > 0)
        printf "  kafkafast / confluent = %.2f at saturation, %.2f at the paced load (target <= 0.30; kafkafast target <= 1.5 us per event in template mode)\n", added[m, "kafkafast"] / added[m, "confluent"], (padded[m, "confluent"] > 0 ? padded[m, "kafkafast"] / padded[m, "confluent"] : 0) # parenthesized: a bare ">" in print arguments is a redirection
    }
  }' "$work/runs"
if [ -s "$work/attributed" ]; then
  # Median of the per-thread attribution (PROFILE=1).
  awk '$1 == "attributed:" { v[$2] = v[$2] " " $3 }
    function median(list,    n, a, i, j, t) {
      n = split(list, a, " ")
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
      return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    END {
      for (k in v) printf "  %-17s attributed per event (rounds:%s) median %.2f us\n", k, v[k], median(v[k])
    }' "$work/attributed"
fi

if [ "$INPROC" = 1 ]; then
  echo
  echo "request thread only (no HTTP: each middleware invoked directly, best of 5 x 200,000, with and without a request Activity):"
  dotnet "$BIN" inproc "$bootstrap" | sed 's/^INPROC /  /'
fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "$mismatches" -gt 0 ]; then
  echo "FAILED: $mismatches run(s) where the events in the topic did not equal the requests served"
  exit 1
fi
