#!/usr/bin/env bash
# first-pass-runtimes.sh on a machine with no Java or peers (BENCHMARKS.md, "The first pass on a
# later JDK": the 16-core figures). Two steps:
#
#   tools/bench/first-pass-carried.sh pack TARBALL    here, after a build (./migaudit --version):
#       jlink runtimes of Java 17 and of a later JDK (JAVA17_HOME, LATER_HOME; default this
#       machine's OpenJDK 17 and Temurin 25) with the modules a single pass needs, native libraries
#       stripped; the jars a single pass loads (cli/target without the broker, Kafka Streams and
#       the compression codecs); nfpcapd and GNU time with their libraries. One tar.xz, about 48 MB,
#       so that it travels with the tree (the device tool carries at most 64 MiB).
#   tools/bench/first-pass-carried.sh run TARBALL     there, from the repository root: unpack to
#       $D (default /tmp/first-pass-carried), make each runtime's default CDS archives
#       (java -Xshare:dump), the benchmark capture as bench makes it, the launcher's class-data
#       archive as ./migaudit makes it, then first-pass-runtimes.sh for each of WORKER_COUNTS
#       (default "2 8") with ROUNDS (default 3).
set -euo pipefail
cd "$(dirname "$0")/../.."
modules=java.base,java.logging,java.management,jdk.management,java.naming,java.xml,jdk.unsupported,java.security.sasl,jdk.crypto.ec

pack() {
  local out=$1 work
  work=$(mktemp -d)
  trap 'rm -rf "$work"' RETURN
  "${JAVA17_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}/bin/jlink" --add-modules "$modules" \
    --strip-debug --no-header-files --no-man-pages --output "$work/jdk17"
  "${LATER_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/jlink" --add-modules "$modules" \
    --strip-debug --no-header-files --no-man-pages --output "$work/later"
  find "$work/jdk17" "$work/later" -name '*.so' -exec strip --strip-unneeded {} \;
  mkdir -p "$work/jars/lib" "$work/bin" "$work/lib"
  cp cli/target/migaudit-cli.jar "$work/jars/"
  local jar
  for jar in cli/target/lib/*.jar; do
    case $(basename "$jar") in
      kafka-streams-* | zstd-jni-* | snappy-* | lz4-*) ;; # a single pass never loads them
      *) cp "$jar" "$work/jars/lib/" ;;
    esac
  done
  cp "$(command -v nfpcapd)" /usr/bin/time "$work/bin/"
  ldd "$(command -v nfpcapd)" | awk '/=> \// {print $3}' | grep -v -e '/libc\.so' -e '/libm\.so' |
    xargs -r -I{} cp -L {} "$work/lib/"
  tar -C "$work" -cf - jdk17 later jars bin lib | xz -T0 -6 >"$out"
  echo "first-pass-carried: $out, $(stat -c %s "$out") bytes"
}

run() {
  local tarball=$1 d=${D:-/tmp/first-pass-carried} j w
  mkdir -p "$d" && tar -C "$d" -xJf "$tarball"
  for j in jdk17 later; do
    "$d/$j/bin/java" -Xshare:dump >/dev/null 2>&1
    "$d/$j/bin/java" -XX:-UseCompressedOops -Xshare:dump >/dev/null 2>&1 || true
  done
  if [ ! -f target/bench/migration-2M-snap128.pcap ]; then
    mkdir -p target/bench
    python3 tools/bench/gen_migration_pcap.py --snap target/bench/migration-2M-snap128.pcap \
      --packets 2000000 --flows 100000 --snaplen 128 --seed 1 >/dev/null 2>&1
  fi
  "$d/jdk17/bin/java" -Xmn512m -XX:ArchiveClassesAtExit="$d/jars/lib/classes.jsa" -Xlog:cds=off \
    -Xlog:cds+dynamic=off -cp "$d/jars/migaudit-cli.jar:$d/jars/lib/*" io.migaudit.cli.MigauditCommand \
    classify-report --policy samples/policy.yaml samples/vmotion-plaintext >/dev/null 2>&1 || true
  for w in ${WORKER_COUNTS:-2 8}; do
    JAVA17=$d/jdk17/bin/java JAVA_LATER=$d/later/bin/java CLASSPATH_DIR=$d/jars TIME=$d/bin/time \
      NFPCAPD="env LD_LIBRARY_PATH=$d/lib $d/bin/nfpcapd" WORKERS=$w ROUNDS=${ROUNDS:-3} \
      tools/bench/first-pass-runtimes.sh
  done
}

case ${1:-} in
  pack | run) [ $# -eq 2 ] || { echo "usage: $0 pack|run TARBALL" >&2; exit 2; }; "$1" "$2" ;;
  *) echo "usage: $0 pack TARBALL | run TARBALL" >&2; exit 2 ;;
esac
