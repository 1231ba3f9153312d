#!/usr/bin/python3
"""PyTorch peer of `s2s recipe g2p-cmudict` and `gettext-mt`: the same model trained on the same split for the given minutes.

Reads the recipe's DATA folder (train.tsv, test.tsv: space-separated tokens <TAB> space-separated
tokens — letters and phonemes for g2p-cmudict, whose test.tsv has one line per reference
pronunciation; BPE pieces for gettext-mt), trains seq2seq_torch.Seq2Seq (a
bidirectional encoder, a decoder with Luong attention and input feeding, the bridge) with Adam for
--minutes of wall time on --threads threads, then decodes the test words greedily and with beam 5
(raw log-probability, as s2s's default) from the final weights and writes the outputs as tokens.
With --score g2p (the default) it scores them too: WER (a word is right when it equals any
reference) and PER (edit distance to the closest reference over that reference's length, summed
over words); with --score none (gettext-mt) each test line is decoded as it is, and the recipe
joins the pieces back into text and computes BLEU/chrF itself. Its defaults are the plain settings a new user gets
from `s2s train` (emb 256, hidden 256, dropout 0.2, 2000-token batches, lr 1e-3, clip 5, no
label smoothing) — the baseline of issue 9.

  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/peers/recipe_torch.py --data runs/recipes/g2p-cmudict/data --minutes 20 --threads 1
Prints one JSON object; writes OUT/test.greedy.txt and OUT/test.beam5.txt. With --decode-at M it
also decodes after M minutes of training (the training clock stops meanwhile) into
OUT/test.greedy@M.txt and OUT/test.beam5@M.txt, so one 60-minute run gives the 20-minute
outputs too (gettext-mt's bar compares s2s at 20 minutes with the peer at 60). With
--length-penalty α (repeatable) it also writes the beam's outputs re-ranked by the GNMT length
penalty, OUT/test.beam5-lpα[@M].txt, and with --valid FILE the validation set's
OUT/valid.beam5-lpα[@M].txt, from which the recipe picks α the way it picks s2s's.
"""
import argparse
import json
import os
import random
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch  # noqa: E402

from seq2seq_torch import BOS, EOS, PAD, Seq2Seq  # noqa: E402

UNK = 1


def read_tsv(path):
    with open(path, encoding="utf-8") as f:
        return [tuple(line.rstrip("\n").split("\t")) for line in f if line.strip()]


def vocab_of(texts):
    counts = {}
    for t in texts:
        for tok in t.split():
            counts[tok] = counts.get(tok, 0) + 1
    toks = sorted(counts, key=lambda k: (-counts[k], k))
    return {t: i + 4 for i, t in enumerate(toks)}


def encode(text, vocab):
    return [vocab.get(t, UNK) for t in text.split()]


def batches(examples, batch_tokens, rng):
    """Length-bucketed batches of at most batch_tokens padded tokens, B x max(S, T+1), in a shuffled order."""
    order = sorted(range(len(examples)), key=lambda i: (len(examples[i][0]), len(examples[i][1]), rng.random()))
    out, cur, width = [], [], 0
    for i in order:
        s, t = examples[i]
        w = max(width, len(s), len(t) + 1)
        if cur and w * (len(cur) + 1) > batch_tokens:
            out.append(cur)
            cur, w = [], max(len(s), len(t) + 1)
        cur.append(i)
        width = w
    if cur:
        out.append(cur)
    rng.shuffle(out)
    return out


def pad(seqs, value=PAD):
    n = max(len(s) for s in seqs)
    return torch.tensor([s + [value] * (n - len(s)) for s in seqs], dtype=torch.long)


def cut(ids):
    out = []
    for i in ids:
        if i == EOS:
            break
        out.append(i)
    return out


def lp(length, alpha):
    """GNMT length penalty ((5 + length) / 6)^α, as s2s's lengthPenalty."""
    return ((5 + length) / 6) ** alpha


def edit_distance(a, b):
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cur[j] = min(prev[j - 1] + (a[i - 1] != b[j - 1]), prev[j] + 1, cur[j - 1] + 1)
        prev = cur
    return prev[len(b)]


def score(hyps, refs):
    word_err = ph_err = ph = 0
    for h, rs in zip(hyps, refs):
        hs = h.split()
        best, best_len = None, 0
        for r in rs:
            d = edit_distance(hs, r.split())
            if best is None or d < best:
                best, best_len = d, len(r.split())
        word_err += best > 0
        ph_err += best
        ph += best_len
    return {"WER": round(100 * word_err / len(hyps), 2), "PER": round(100 * ph_err / ph, 2)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--minutes", type=float, default=20)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--emb", type=int, default=256)
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--dropout", type=float, default=0.2)
    ap.add_argument("--batch-tokens", type=int, default=2000)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--clip", type=float, default=5.0)
    ap.add_argument("--label-smoothing", type=float, default=0.0)
    ap.add_argument("--beam", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--score", choices=("g2p", "none"), default="g2p")
    ap.add_argument("--valid", help="a validation TSV (pieces, as --data's): with --length-penalty, its beam outputs are written too, to pick α on")
    ap.add_argument("--length-penalty", type=float, action="append", default=[], help="GNMT length penalty α: also write the beam's test (and --valid) outputs re-ranked by score / ((5 + len) / 6)^α (repeatable)")
    ap.add_argument("--decode-at", type=float, action="append", default=[], help="minutes: also decode the test set after this much training (repeatable)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = random.Random(a.seed)

    train = read_tsv(os.path.join(a.data, "train.tsv"))
    test_lines = read_tsv(os.path.join(a.data, "test.tsv"))
    test_src, test_refs, seen = [], [], {}
    for s, t in test_lines:
        if a.score == "none" or s not in seen:
            seen[s] = len(test_src)
            test_src.append(s)
            test_refs.append([])
        test_refs[seen[s]].append(t)
    sv, tv = vocab_of(s for s, _ in train), vocab_of(t for _, t in train)
    tinv = {i: t for t, i in tv.items()}
    examples = [(encode(s, sv), encode(t, tv)) for s, t in train]

    model = Seq2Seq(len(sv) + 4, a.emb, a.hidden, 1, "lstm", "general", tgt_vocab=len(tv) + 4, dropout=a.dropout)
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    enc = [encode(s, sv) for s in test_src]
    os.makedirs(a.out, exist_ok=True)
    outputs, valid_outputs, scores, decode_seconds = {}, {}, {}, {}

    valid_src = [s for s, _ in read_tsv(a.valid)] if a.valid else []
    valid_enc = [encode(s, sv) for s in valid_src]
    penalties = a.length_penalty

    def decode(encs, k, bs, alphas):
        """The best hypothesis of each source (greedy when k == 1), as token strings; with beam k,
        one list per length penalty α, re-ranking each sentence's k final rows by score / lp."""
        order = sorted(range(len(encs)), key=lambda i: len(encs[i]))
        hyps = {alpha: [""] * len(encs) for alpha in alphas}
        with torch.no_grad():
            for b in range(0, len(order), bs):
                idx = order[b:b + bs]
                src = pad([encs[i] for i in idx])
                src_len = torch.tensor([len(encs[i]) for i in idx])
                max_len = 2 * src.shape[1] + 10
                if k == 1:
                    rows = model.greedy(src, src_len, max_len).unsqueeze(1)
                    row_scores = torch.zeros(rows.shape[0], 1)
                else:
                    rows, row_scores = model.beam(src, src_len, k, max_len, with_scores=True)
                for j, i in enumerate(idx):
                    tokens = [r.tolist() for r in rows[j]]
                    cands = [cut(t) for t in tokens]
                    # Under a length penalty only rows that reached EOS compete (a row that ran on to
                    # max_len only when none did): the search goes on until every row has finished, so a
                    # live row at the bottom of the beam can run to max_len, and α would favour its length.
                    # With α = 0 the pick is row 0, the plain beam's best, as before.
                    ended = [c for c in range(len(cands)) if EOS in tokens[c]] or list(range(len(cands)))
                    for alpha in alphas:
                        # the length counts the EOS, as s2s's lengthPenalty(len + 1) does
                        pool = ended if alpha > 0 else range(len(cands))
                        best = max(pool, key=lambda c: (float(row_scores[j, c]) / lp(len(cands[c]) + 1, alpha), -c))
                        hyps[alpha][i] = " ".join(tinv.get(t, "<unk>") for t in cands[best] if t >= 4)
        return hyps

    def write(name, hyps):
        path = os.path.join(a.out, name)
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            f.write("".join(h + "\n" for h in hyps))
        os.replace(path + ".tmp", path)
        return path

    def decode_test(suffix):
        """Decodes the test sources greedily and with beam a.beam from the current weights; writes
        test.NAME{suffix}.txt. With --length-penalty, also test.beam5-lpα{suffix}.txt and the
        validation set's valid.beam5-lpα{suffix}.txt, for the recipe to pick α on valid."""
        model.eval()
        for name, k, bs in (("greedy", 1, 128), ("beam5", a.beam, 32)):
            d0 = time.perf_counter()
            alphas = [0.0] + ([p for p in penalties if p != 0] if k > 1 else [])
            hyps = decode(enc, k, bs, alphas)
            decode_seconds[name + suffix] = round(time.perf_counter() - d0, 1)
            outputs[name + suffix] = write(f"test.{name}{suffix}.txt", hyps[0.0])
            if a.score == "g2p":
                scores[name + suffix] = score(hyps[0.0], test_refs)
            if k > 1 and penalties:
                for alpha in penalties:
                    outputs[f"{name}-lp{alpha:g}{suffix}"] = write(f"test.{name}-lp{alpha:g}{suffix}.txt", hyps[alpha])
                if valid_enc:
                    vhyps = decode(valid_enc, k, bs, penalties)
                    for alpha in penalties:
                        valid_outputs[f"{name}-lp{alpha:g}{suffix}"] = write(f"valid.{name}-lp{alpha:g}{suffix}.txt", vhyps[alpha])
        model.train()

    # --decode-at M: also decode after M minutes of training (the clock stops while it decodes)
    stops = sorted(m for m in a.decode_at if 0 < m < a.minutes)
    at_stop = {}
    model.train()
    t0 = time.perf_counter()
    limit = a.minutes * 60
    steps = epochs = tokens = 0
    done = False
    while not done:
        for idx in batches(examples, a.batch_tokens, rng):
            if stops and time.perf_counter() - t0 >= stops[0] * 60:
                m = stops.pop(0)
                at_stop[f"@{m:g}"] = {"steps": steps, "epochs": epochs, "tgt_tok_per_s": round(tokens / (time.perf_counter() - t0), 1)}
                paused = time.perf_counter()
                decode_test(f"@{m:g}")
                t0 += time.perf_counter() - paused
            if time.perf_counter() - t0 >= limit:
                done = True
                break
            src = pad([examples[i][0] for i in idx])
            src_len = torch.tensor([len(examples[i][0]) for i in idx])
            tgt_in = pad([[BOS] + examples[i][1] for i in idx])
            tgt_out = pad([examples[i][1] + [EOS] for i in idx])
            opt.zero_grad(set_to_none=True)
            loss = model.loss(src, src_len, tgt_in, tgt_out, label_smoothing=a.label_smoothing)
            loss.backward()
            if a.clip > 0:
                torch.nn.utils.clip_grad_norm_(model.parameters(), a.clip)
            opt.step()
            steps += 1
            tokens += int((tgt_out != PAD).sum())
        else:
            epochs += 1
    train_seconds = time.perf_counter() - t0
    decode_test("")

    print(json.dumps({
        "engine": "pytorch", "version": torch.__version__, "threads": a.threads,
        "settings": f"emb {a.emb}, hidden {a.hidden}, dropout {a.dropout}, batch-tokens {a.batch_tokens}, lr {a.lr}, clip {a.clip}, label smoothing {a.label_smoothing}",
        "params": sum(p.numel() for p in model.parameters()),
        "train_seconds": round(train_seconds, 1), "steps": steps, "epochs": epochs,
        "tgt_tok_per_s": round(tokens / train_seconds, 1),
        "test_sources": len(enc), "at": at_stop, "scores": scores, "decode_seconds": decode_seconds, "outputs": outputs, "valid_outputs": valid_outputs,
    }))


if __name__ == "__main__":
    sys.exit(main())
