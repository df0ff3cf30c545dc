#!/usr/bin/env bash
# Measures weft up's cold start: the time from launching the CLI's JVM to its "workers ready" line, and the tasks/s of
# the first demo graph it prints, for one or more built checkouts (the first default: this one), in alternation so
# that the load of the machine falls on each alike. Prints every run, then the medians beside the targets.
#
#   benchmarks/cold-start.sh [-n RUNS] [ROOT...]      e.g. benchmarks/cold-start.sh -n 5 /tmp/weft-before .
#
# Each ROOT must be built (mvn -DskipTests package: cli/target/weft-cli.jar and lib/); this script does not build.
# It starts the CLI's JVM as the weft script does, with the build's class data archive when there is one.
set -euo pipefail
runs=5
if [ "${1:-}" = "-n" ]; then runs="$2"; shift 2; fi
[ $# -eq 0 ] && set -- "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
roots=()
for root in "$@"; do roots+=("$(cd "$root" && pwd)"); done

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# One run of ROOT: prints "SECONDS_TO_READY TASKS_PER_SECOND".
one() {
  local root="$1" start line ready="" rate="" output
  output=$(mktemp)
  local cds=()
  if [ -f "$root/cli/target/weft-cli.jsa" ]; then
    cds=(-XX:SharedArchiveFile="$root/cli/target/weft-cli.jsa" -Xshare:auto -Xlog:cds=off,cds+dynamic=off)
  fi
  start=$(date +%s%N)
  while IFS= read -r line; do
    printf '%s\n' "$line" >> "$output"
    case "$line" in
      *" ready "*"up in"*) ready=$(( $(date +%s%N) - start )) ;;
      *" tasks/s") rate=${line##*: }; rate=${rate% tasks/s}; rate=${rate//,/} ;;
    esac
  done < <(java ${cds[@]+"${cds[@]}"} -cp "$root/cli/target/lib/*:$root/cli/target/weft-cli.jar" dev.weft.cli.Main up 2>&1)
  if [ -z "$ready" ] || [ -z "$rate" ]; then
    echo "weft up in $root printed no ready line or no rate; its last lines:" >&2
    tail -n 20 "$output" >&2
    rm -f "$output"
    exit 1
  fi
  rm -f "$output"
  awk -v r="$ready" -v t="$rate" 'BEGIN { printf "%.2f %d\n", r / 1e9, t }'
}

declare -A readies rates
for ((i = 1; i <= runs; i++)); do
  for root in "${roots[@]}"; do
    read -r ready rate < <(one "$root")
    printf 'run %d  %-40s ready after %6.2f s  first graph %8d tasks/s\n' "$i" "$root" "$ready" "$rate"
    readies[$root]+="$ready "
    rates[$root]+="$rate "
  done
done
echo
for root in "${roots[@]}"; do
  printf 'median of %d  %-40s ready after %6.2f s (target <= 3 s)  first graph %8.0f tasks/s (target >= 20,000)\n' \
    "$runs" "$root" "$(tr ' ' '\n' <<< "${readies[$root]}" | grep . | median)" \
    "$(tr ' ' '\n' <<< "${rates[$root]}" | grep . | median)"
done
echo "(load average: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores)"
