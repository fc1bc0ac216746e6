#!/bin/bash
# Alternating A/B pairs of the quick visitors workload (issue 16, twenty-first pass; bench/notes/visitor_cost.md).
# usage: bench/visitor_ab.sh TAG PAIRS BASE FILE...  (A: FILE... from commit BASE, B: from HEAD; A B, B A, ...)
# Results: /tmp/visitor_ab-TAG-<A|B>-<n>.json, one line per run in /tmp/visitor_ab-TAG.runs. Edit nothing meanwhile.
cd "$(dirname "$0")/.."
tag=$1; pairs=$2; base=$3; shift 3; files="$@"
run() {
  if [ $1 = A ]; then for f in $files; do git show $base:$f > $f; done; else git checkout -q HEAD -- $files; fi
  l0=$(cut -d' ' -f1 /proc/loadavg)
  flock /tmp/bench.lock deno task bench --quick --only=visitors --out=/tmp/visitor_ab-$tag-$1-$2.json > /tmp/visitor_ab-$tag-$1-$2.log 2>&1
  l1=$(cut -d' ' -f1 /proc/loadavg)
  echo "$1 $2 load $l0/$l1 $(date +%H:%M:%S)" >> /tmp/visitor_ab-$tag.runs
}
for i in $(seq 1 $pairs); do
  if [ $((i % 2)) = 1 ]; then run A $i; run B $i; else run B $i; run A $i; fi
done
git checkout -q HEAD -- $files
echo finished >> /tmp/visitor_ab-$tag.runs
