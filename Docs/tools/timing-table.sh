#!/bin/bash
# Seed 000 Table I's temporal columns on Randman and on the N-MNIST subset (issue #21, Docs/results.md).
# One thread, niced; every figure of the table is in the JSON files this writes under spikebar-out/.
# Usage: Docs/tools/timing-table.sh randman [seeds…]   (default seeds 1 2 3)
#        Docs/tools/timing-table.sh nmnist               (the scenarios' seed 11; needs ../shared/data/nmnist-subset)
# Needs the release build (swift build -c release --product spikebar) and, for N-MNIST, ../shared/data.
set -euo pipefail
cd "$(dirname "$0")/../.."
B=.build/release/spikebar
what=${1:-randman}; shift || true
seeds=${*:-1 2 3}
if [ "$what" = randman ]; then
for seed in $seeds; do
  for sc in randman-nc randman-nhc randman-trained-tau; do
    o=spikebar-out/$sc-s$seed
    nice $B train Scenarios/$sc.yaml --seed "$seed" --threads 1 --quiet --out "$o"
    nice $B evaluate Scenarios/$sc.yaml --seed "$seed" --weights "$o/weights.json" --no-exact --threads 1 --json --quiet --out "$o" > "$o/evaluate.json"
  done
  o=spikebar-out/randman-nhc-s$seed
  nice $B sweep Scenarios/randman-nhc-drift.yaml --seed "$seed" --weights "$o/weights.json" --param time_since_programming \
    --values 0,5s,1h --chips 1 --test-samples 1000 --threads 1 --json --quiet --out "$o/drift" > "$o/drift.json"
done
fi
if [ "$what" = nmnist ]; then
  for sc in nmnist-rec-nc nmnist-rec-nhc nmnist-rec-trained-tau; do
    o=spikebar-out/$sc
    nice $B train Scenarios/$sc.yaml --threads 1 --quiet --out "$o"
    nice $B evaluate Scenarios/$sc.yaml --weights "$o/weights.json" --no-exact --threads 1 --json --quiet --out "$o" > "$o/evaluate.json"
  done
  nice $B sweep Scenarios/nmnist-rec-nhc-drift.yaml --weights spikebar-out/nmnist-rec-nhc/weights.json --param time_since_programming \
    --values 0,5s,1h --chips 1 --test-samples 100 --threads 1 --json --quiet --out spikebar-out/nmnist-rec-nhc/drift > spikebar-out/nmnist-rec-nhc/drift.json
fi
