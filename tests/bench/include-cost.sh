#!/usr/bin/env bash
# What including sipws costs a user's translation unit: for the umbrella
# header and for each public header alone, the wall time of
# `c++ -std=c++17 -O2 -c` on a file that includes only it (median of N runs),
# next to an empty file and to <asio.hpp> alone as references.
#
#   tests/bench/include-cost.sh [RUNS]      (CXX overrides the compiler)
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-3}
cxx=${CXX:-c++}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

measure() { # name, include line
  printf '%s\nint main() { return 0; }\n' "$2" > "$tmp/tu.cpp"
  local times=()
  for _ in $(seq "$runs"); do
    local t0 t1
    t0=$(date +%s%N)
    "$cxx" -std=c++17 -O2 -DASIO_STANDALONE -Iinclude -c "$tmp/tu.cpp" -o "$tmp/tu.o"
    t1=$(date +%s%N)
    times+=($(( (t1 - t0) / 1000000 )))
  done
  local median
  median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")
  printf '%-44s %6d ms\n' "$1" "$median"
}

echo "compiler: $($cxx --version | head -1); median of $runs runs"
measure "(empty file)" ""
measure "<asio.hpp> (reference)" "#include <asio.hpp>"
measure "<sipws/sipws.hpp> (umbrella)" "#include <sipws/sipws.hpp>"
for h in $(cd include && find sipws -name '*.hpp' -not -path '*/detail/*' -not -path '*/impl/*' | sort); do
  [ "$h" = sipws/sipws.hpp ] && continue
  [ "$h" = sipws/src.hpp ] && continue # compiled once per program, not included (docs/compile-time.md)
  measure "<$h>" "#include <$h>"
done
