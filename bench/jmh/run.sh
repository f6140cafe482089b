#!/usr/bin/env bash
# Builds the benchmarks against the tiyi-core classes of the checkout this directory is in (no
# `mvn install`) and runs JMH with the given arguments, e.g. `bench/jmh/run.sh -wi 3 -i 5 -f 1`.
# TIYI_ROOT names another checkout. The first argument `--main CLASS` runs that class's main instead
# of JMH (`--main io.tiyi.bench.WafBenchmark ../../../shared/crs`).
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
root="$(cd "${TIYI_ROOT:-$here/../..}" && pwd)"
out="$here/target/run"
mkdir -p "$out"

echo "== compiling tiyi-core in $root" >&2
(cd "$root" && mvn -q -B -pl tiyi-core compile -Dfuzz.skip=true)
(cd "$root" && mvn -q -B -pl tiyi-core dependency:build-classpath -Dmdep.outputFile="$out/core.cp" >/dev/null)
(cd "$here" && mvn -q -B -Dtiyi.classes dependency:build-classpath -Dmdep.outputFile="$out/jmh.cp" >/dev/null)
# tiyi-core logs through Logback; the benchmarks use slf4j-simple (quiet, see simplelogger.properties).
core_cp="$(tr ':' '\n' <"$out/core.cp" | grep -v /ch/qos/logback/ | paste -sd:)"
cp="$root/tiyi-core/target/classes:$core_cp:$(cat "$out/jmh.cp")"

echo "== compiling the benchmarks into $out/classes" >&2
rm -rf "$out/classes"
mkdir -p "$out/classes"
# jmh-generator-annprocess on the class path generates the JMH harness and META-INF/BenchmarkList.
javac --release 17 -nowarn -cp "$cp" -d "$out/classes" $(find "$here/src/main/java" -name '*.java')
cp -r "$here/src/main/resources/." "$out/classes/"

cd "$here"
if [ "${1:-}" = --main ]; then
  shift
  main="$1"
  shift
  exec java -cp "$out/classes:$cp" "$main" "$@"
fi
# JMH forks its benchmark JVMs with this JVM's class path.
exec java -cp "$out/classes:$cp" org.openjdk.jmh.Main "$@"
