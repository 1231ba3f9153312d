#!/bin/bash
# scripts/g2p-exp/ensemble-60.sh DATA OUT [SECONDS]: the g2p ensemble plan of docs/training.md
# ("60-minute runs") as plain CLI commands, for SECONDS (default 3600) of a 2-core machine: three
# rounds of a third of the time each, every round two runs of the g2p-cmudict recipe's LSTM with
# two layers a side at once, on one thread each: one left to right, one right to left (seeds 1–6).
# Then each member alone, the three left-to-right runs as an ensemble, and that ensemble's beam
# re-ranked by the three right-to-left runs decode the test words (beam 5, last weights) and are
# scored.
# DATA is a g2p-cmudict recipe's data folder (runs/recipes/g2p-cmudict/data).
# `s2s recipe g2p-cmudict --ensemble` runs the same plan in one process.
set -e
D=$1; O=$2; SECS=${3:-3600}
[ -f "$D/train.tsv" ] || { echo "usage: $0 DATA OUT [SECONDS] (DATA: a g2p-cmudict recipe's data folder)" >&2; exit 2; }
mkdir -p "$O"
S2S="node dist/src/cli/main.js"
S="$S2S train --data $D --threads 1 --patience 0 --valid-every 4000 --valid-decode 200 --metric wer --overwrite \
   --max-time $(( (SECS - 30) / 3 )) --arch lstm --attention general --bidirectional --layers 2 \
   --emb 64 --hidden 192 --dropout 0 --batch-tokens 500 --lr 0.003 --schedule linear --clip 5 --label-smoothing 0.1"
t0=$(date +%s)
for round in 0 1 2; do
  a=$(( 2 * round + 1 )); b=$(( 2 * round + 2 ))
  $S --out "$O/lstm$a" --seed $a > "$O/lstm$a.log" 2>&1 & pid=$!
  $S --out "$O/lstm$b-r2l" --seed $b --right-to-left > "$O/lstm$b-r2l.log" 2>&1
  wait $pid
done
echo "trained: $(( $(date +%s) - t0 )) s of wall time"
cut -f1 "$D/test.tsv" | uniq > "$O/test.src"
T="$S2S translate --weights last --beam 5 --threads 1 --input $O/test.src"
FWD="--model $O/lstm1 --model $O/lstm3 --model $O/lstm5"
$T $FWD > "$O/ensemble.beam5.txt" & pid=$!
$T $FWD --rescore "$O/lstm2-r2l" --rescore "$O/lstm4-r2l" --rescore "$O/lstm6-r2l" > "$O/rescored.beam5.txt"
wait $pid
for r in lstm1 lstm2-r2l lstm3 lstm4-r2l lstm5 lstm6-r2l; do $T --model "$O/$r" > "$O/$r.beam5.txt"; done
for f in lstm1 lstm2-r2l lstm3 lstm4-r2l lstm5 lstm6-r2l ensemble rescored; do echo "$f $(node scripts/g2p-exp/score.mjs "$O/$f.beam5.txt" "$D/test.tsv")"; done
