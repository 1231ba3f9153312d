#!/bin/bash
# scripts/g2p-exp/test-score.sh RUN [BEAM] [WEIGHTS]: decode the 12,000 test words of runs/exp/data
# (node scripts/g2p-exp/mkdata.mjs) with RUN's best|last weights and print WER/PER against all
# their pronunciations (the recipe's scorer). docs/training.md uses it.
d=$1; beam=${2:-5}; weights=${3:-best}
cut -f1 runs/exp/data/test.tsv | uniq | node dist/src/cli/main.js translate --model "$d" --weights "$weights" --beam "$beam" --threads 1 > "$d/test.$weights.beam$beam.txt"
echo "$d $weights beam$beam $(node scripts/g2p-exp/score.mjs "$d/test.$weights.beam$beam.txt" runs/exp/data/test.tsv)"
