#!/bin/bash
# scripts/g2p-exp/ensemble-60.sh DATA OUT [SECONDS]: the g2p ensemble plan of docs/training.md
# ("60-minute runs") as plain CLI commands, for SECONDS (default 3600) of a 2-core machine: a
# Transformer on one thread for the whole time, and on the other three runs of the g2p-cmudict
# recipe's LSTM one after another (seeds 1, 2, 3; a third of the time each; the second and third
# right to left). Then each member alone, the Transformer and the first LSTM as an ensemble, and
# that ensemble's beam re-ranked by the two right-to-left runs decode the test words (beam 5, last
# weights) and are scored.
# DATA is a g2p-cmudict recipe's data folder (runs/recipes/g2p-cmudict/data).
# `s2s recipe g2p-cmudict --ensemble` runs the same plan in one process.
set -e
D=$1; O=$2; SECS=${3:-3600}
[ -f "$D/train.tsv" ] || { echo "usage: $0 DATA OUT [SECONDS] (DATA: a g2p-cmudict recipe's data folder)" >&2; exit 2; }
mkdir -p "$O"
S2S="node dist/src/cli/main.js"
S="$S2S train --data $D --threads 1 --patience 0 --valid-every 4000 --valid-decode 200 --metric wer --overwrite"
t0=$(date +%s)
$S --out "$O/tf" --max-time "$SECS" --arch transformer --emb 128 --layers 3 --ffn 512 --heads 4 --dropout 0.1 \
   --batch-tokens 1000 --lr 0.002 --schedule linear --warmup 400 --label-smoothing 0.1 > "$O/tf.log" 2>&1 &
for s in 1 2 3; do
  dir=""; [ $s -gt 1 ] && dir=--right-to-left
  $S --out "$O/lstm$s" --seed $s --max-time $(( (SECS - 30) / 3 )) --arch lstm --attention general --bidirectional --layers 1 $dir \
     --emb 64 --hidden 192 --dropout 0 --batch-tokens 500 --lr 0.003 --schedule linear --clip 5 --label-smoothing 0.1 > "$O/lstm$s.log" 2>&1
done
wait
echo "trained: $(( $(date +%s) - t0 )) s of wall time"
cut -f1 "$D/test.tsv" | uniq > "$O/test.src"
T="$S2S translate --weights last --beam 5 --threads 1 --input $O/test.src"
$T --model "$O/tf" --model "$O/lstm1" > "$O/ensemble.beam5.txt" &
$T --model "$O/tf" --model "$O/lstm1" --rescore "$O/lstm2" --rescore "$O/lstm3" > "$O/rescored.beam5.txt" &
for r in tf lstm1 lstm2 lstm3; do $T --model "$O/$r" > "$O/$r.beam5.txt"; done
wait
for f in tf lstm1 lstm2 lstm3 ensemble rescored; do echo "$f $(node scripts/g2p-exp/score.mjs "$O/$f.beam5.txt" "$D/test.tsv")"; done
