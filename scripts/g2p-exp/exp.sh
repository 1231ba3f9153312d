#!/bin/bash
# scripts/g2p-exp/exp.sh NAME SECONDS [s2s train flags...]: one equal-time experiment of docs/training.md.
# Trains on runs/exp/data (node scripts/g2p-exp/mkdata.mjs) for SECONDS on 1 thread, decodes the
# valid words greedily and appends WER/PER, steps and tokens to runs/exp/results.txt.
name=$1; secs=$2; shift 2
d=runs/exp/$name
rm -rf "$d"; mkdir -p runs/exp/logs
node dist/src/cli/main.js train --data runs/exp/data --out "$d" --max-time "$secs" --threads 1 --patience 0 "$@" > "runs/exp/logs/$name.log" 2>&1
cut -f1 runs/exp/data/valid.tsv | node dist/src/cli/main.js translate --model "$d" --beam 1 --threads 1 > "$d/valid.greedy.txt"
end=$(grep '"type":"end"' "$d/log.jsonl" | tail -1)
tok=$(grep '"type":"train"' "$d/log.jsonl" | tail -1 | sed 's/.*"tokens":\([0-9]*\).*/\1/')
echo "$name $(node scripts/g2p-exp/score.mjs "$d/valid.greedy.txt" runs/exp/data/valid.tsv) tokens=$tok $end args: $*" | tee -a runs/exp/results.txt
