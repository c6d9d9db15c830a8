#!/bin/bash
# The Randman difficulty family of Docs/results.md (issue #21): homogeneous τ, the chip's fixed measured τ
# and trained τ, all with float weights and no programming noise (only the time constants differ), at
# several task settings. Each setting is randman-nhc.yaml with its training.randman line replaced; the
# scenario copies are written to spikebar-out/family/ (weights paths relative to them).
# Usage: [FAMILY_SETTINGS="3 2 0,…"] Docs/tools/timing-family.sh [seed]   (default seed 1; release build, one thread, niced)
# D = 2, α = 2, no jitter is the task of the table (randman-nhc.yaml); its homogeneous run is randman-nc.
set -euo pipefail
cd "$(dirname "$0")/../.."
B=$PWD/.build/release/spikebar
seed=${1:-1}
mkdir -p spikebar-out/family
settings=${FAMILY_SETTINGS:-"1 2 0,2 2 0,2 1 0,2 2 4e-3,3 2 0"}   # "D α jitter [window s] [time warp] [spikes per unit]", comma-separated
IFS=, read -r -a list <<< "$settings"
for setting in "${list[@]}"; do
  read -r D A J W T S <<< "$setting"
  W=${W:-0.1}   # the input window (s): 0.1 = 50 steps of 2 ms, the table's; longer windows spread the spikes wider
  T=${T:-1}     # time warp: each sample's tempo log-uniform in [1/T, T] (1: none)
  suffix=""; [ "$W" = "0.1" ] || suffix="-w$(python3 -c "print(round($W*1000))")ms"
  S=${S:-1}     # spikes per input unit per sample
  [ "$T" = "1" ] || suffix="$suffix-warp$T"
  [ "$S" = "1" ] || suffix="$suffix-spu$S"
  for tc in homogeneous chip trained; do
    n=D${D}-a${A}-j${J}${suffix}-${tc}-s${seed}
    f=spikebar-out/family/$n.yaml
    [ -s spikebar-out/family/$n/evaluate.json ] && continue   # done already (rerun: delete the folder)
    sed -e "s/^name: randman-nhc$/name: $n/" \
        -e "s|file: ../spikebar-out/randman-nhc/weights.json|file: $n/weights.json|" \
        -e "s/manifold_dimension: 2, alpha: 2,\(.*\)jitter: 0 }/manifold_dimension: $D, alpha: $A,\1jitter: $J, time_warp: $T }/" \
        -e "s/^  window: 0.1 .*/  window: $W/" -e "s/spikes_per_unit: 1,/spikes_per_unit: $S,/" \
        -e "s/time_constants: chip/time_constants: $tc/" -e "s/quantize: true/quantize: false/" \
        -e "s/programming_noise: true/programming_noise: false/" Scenarios/randman-nhc.yaml > "$f"
    grep -q "manifold_dimension: $D, alpha: $A," "$f" && grep -q "jitter: $J, time_warp: $T }" "$f" && grep -q "spikes_per_unit: $S," "$f" || { echo "family: substitution failed for $n" >&2; exit 2; }
    nice $B train "$f" --seed "$seed" --threads 1 --quiet --out spikebar-out/family/$n
    nice $B evaluate "$f" --seed "$seed" --weights spikebar-out/family/$n/weights.json --no-exact --threads 1 --json --quiet \
      --out spikebar-out/family/$n > spikebar-out/family/$n/evaluate.json
  done
done
