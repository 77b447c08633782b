#!/usr/bin/env bash
# Issue 18's first-pass target by runtime: one fresh JVM's whole pass over the benchmark capture
# (`bench --single-pass`, as bench's whole-process row starts it: -Xmn512m, no fixed heap), with
#   java17      the project's Java 17, with the launcher's class-data archive when it is there
#   later       a later JDK (25 has JEP 483's AOT class loading and linking and JEP 515's AOT method
#               profiling), as is
#   later+aot   that JDK with an AOT cache, made beforehand by one training pass over ANOTHER
#               capture (same generator, another seed, a tenth of the packets), so the measured
#               file is not the one it was trained on
# and nfpcapd on the same file, in alternating rounds. Each JVM line is the child's own breakdown
# (start-up, the pass, JIT compiling) after /usr/bin/time's wall and CPU seconds.
#
# Usage: tools/bench/first-pass-runtimes.sh [CAPTURE]
#   CAPTURE: default target/bench/migration-2M-snap128.pcap (`./migaudit bench` makes it)
# Environment: JAVA17 (default java), JAVA_LATER (default the Temurin 25 JDK under /usr/lib/jvm),
#   ROUNDS (default 3), WORKERS (default 2), CLASSPATH_DIR (a folder holding migaudit-cli.jar and
#   lib/; default cli/target), WORK (default target/bench/first-pass), TIME (GNU time, default
#   /usr/bin/time), NFPCAPD (the nfpcapd command, default nfpcapd; a machine without it skips the row).
set -euo pipefail
cd "$(dirname "$0")/../.."
capture=${1:-target/bench/migration-2M-snap128.pcap}
java17=${JAVA17:-java}
later=${JAVA_LATER:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
rounds=${ROUNDS:-3}
workers=${WORKERS:-2}
jars=${CLASSPATH_DIR:-cli/target}
work=${WORK:-target/bench/first-pass}
gnu_time=${TIME:-/usr/bin/time}
read -r -a nfpcapd <<<"${NFPCAPD:-nfpcapd}"
cp="$jars/migaudit-cli.jar:$jars/lib/*"
main=io.migaudit.cli.MigauditCommand

[ -f "$capture" ] || { echo "first-pass-runtimes: no capture $capture (./migaudit bench makes it)" >&2; exit 2; }
[ -x "$(command -v "$later")" ] || { echo "first-pass-runtimes: no JDK at $later (set JAVA_LATER)" >&2; exit 2; }
mkdir -p "$work" /tmp/first-pass-nfpcapd.$$
trap 'rm -rf /tmp/first-pass-nfpcapd.$$' EXIT

echo "== machine: $(nproc) CPUs online; $(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "== java17: $("$java17" -version 2>&1 | head -1); later: $("$later" -version 2>&1 | head -1)"
echo "== capture: $capture ($(stat -c %s "$capture") bytes), $workers workers, $rounds rounds"

cds=()
if [ -f "$jars/lib/classes.jsa" ]; then
  cds=(-XX:SharedArchiveFile="$jars/lib/classes.jsa" -Xlog:cds=off -Xlog:cds+dynamic=off)
fi

train=$work/train-snap128.pcap
if [ ! -f "$train" ]; then
  python3 tools/bench/gen_migration_pcap.py --snap "$train" --packets 200000 --flows 10000 --seed 7 >/dev/null 2>&1
fi
aot=$work/migaudit.aot
rm -f "$aot"
start=$(date +%s%N)
"$later" -Xmn512m -XX:AOTCacheOutput="$aot" -Xlog:aot=off -Xlog:cds=off -cp "$cp" "$main" \
  bench --single-pass --workers "$workers" "$train" >/dev/null 2>&1
echo "== AOT cache: $(stat -c %s "$aot") bytes, made in $((($(date +%s%N) - start) / 1000000)) ms by one pass over $train"

one() {
  local label=$1
  shift
  local line
  line=$("$gnu_time" -o "$work/time.txt" -f "%e s wall, %U s user, %S s system" "$@" \
    bench --single-pass --workers "$workers" "$capture" 2>&1 | grep '^single pass:' || true)
  printf '%-10s %s; %s\n' "$label" "$(tail -1 "$work/time.txt")" "${line:-no breakdown (failed?)}"
}

for round in $(seq 1 "$rounds"); do
  echo "-- round $round"
  one java17 "$java17" -Xmn512m "${cds[@]}" -cp "$cp" "$main"
  one later "$later" -Xmn512m -cp "$cp" "$main"
  one later+aot "$later" -Xmn512m -XX:AOTCache="$aot" -Xlog:aot=off -Xlog:cds=off -cp "$cp" "$main"
  if command -v "${nfpcapd[-1]}" >/dev/null; then
    rm -rf /tmp/first-pass-nfpcapd.$$/*
    "$gnu_time" -o "$work/time.txt" -f "%e s wall, %U s user, %S s system" \
      "${nfpcapd[@]}" -r "$capture" -w /tmp/first-pass-nfpcapd.$$ >/dev/null 2>&1 || true
    printf '%-10s %s\n' nfpcapd "$(tail -1 "$work/time.txt")"
  fi
done
