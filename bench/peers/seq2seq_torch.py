#!/usr/bin/python3
"""PyTorch peer of `s2s bench train`: the same model, the same training step, the same JSON.

Model (defaults = the s2s benchmark model): embeddings of --emb for source and target (vocab
--vocab), a --layers-layer bidirectional --arch (lstm|gru|rnn) encoder with --hidden/2 units per
direction, a --layers-layer --arch decoder of --hidden units with --attention (Luong dot|general,
or Bahdanau's additive) attention and input feeding, output projection to the vocabulary.
Decoder state starts from a bridge of the encoder's final states (forward and backward
concatenated): h0 = tanh(W_h h_enc + b), and for LSTM c0 = tanh(W_c c_enc + b), as s2s's
models/bridge.ts. One step = forward + token-mean cross-entropy + backward + Adam.

Run with Debian's python3-torch:  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/peers/seq2seq_torch.py --threads 1
Prints one JSON object: tgt_tok_per_s, ms_per_step (median after warm-up), greedy/beam sentences/s.
"""
import argparse
import json
import os
import statistics
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

PAD, BOS, EOS = 0, 2, 3


RNNS = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}
CELLS = {"lstm": nn.LSTMCell, "gru": nn.GRUCell, "rnn": nn.RNNCell}


class Seq2Seq(nn.Module):
    def __init__(self, vocab, emb, hidden, layers, arch="lstm", attention="general", tgt_vocab=None, dropout=0.0):
        super().__init__()
        tgt_vocab = tgt_vocab or vocab
        assert hidden % 2 == 0
        self.hidden = hidden
        self.layers = layers
        self.arch = arch
        self.attention = attention
        self.src_emb = nn.Embedding(vocab, emb, padding_idx=PAD)
        self.tgt_emb = nn.Embedding(tgt_vocab, emb, padding_idx=PAD)
        # as s2s: dropout on the embeddings and before the output layer (none in the benchmark)
        self.drop = nn.Dropout(dropout)
        self.encoder = RNNS[arch](emb, hidden // 2, num_layers=layers, bidirectional=True, batch_first=True)
        self.cells = nn.ModuleList([CELLS[arch](emb + hidden if i == 0 else hidden, hidden) for i in range(layers)])
        self.bridge_h = nn.ModuleList([nn.Linear(hidden, hidden) for _ in range(layers)])
        self.bridge_c = nn.ModuleList([nn.Linear(hidden, hidden) for _ in range(layers)]) if arch == "lstm" else None
        # Luong 'general': score = h_t^T W_a h_s; Bahdanau: score = v^T tanh(W_1 h_s + W_2 h_t)
        self.attn_in = nn.Linear(hidden, hidden, bias=False)  # W_a or W_1, applied to the memory once
        if attention == "bahdanau":
            self.attn_q = nn.Linear(hidden, hidden, bias=False)  # W_2
            self.attn_v = nn.Linear(hidden, 1, bias=False)  # v
        self.attn_out = nn.Linear(2 * hidden, hidden, bias=False)  # h~ = tanh(W_c [c; h_t])
        self.proj = nn.Linear(hidden, tgt_vocab)

    def keys(self, mem):
        return mem if self.attention == "dot" else self.attn_in(mem)

    def _dirs(self, s):
        # (layers*2, B, H/2) -> per layer (B, H): forward and backward final states side by side
        return s.view(self.layers, 2, -1, self.hidden // 2).permute(0, 2, 1, 3).reshape(self.layers, -1, self.hidden)

    def encode(self, src, src_len):
        x = self.drop(self.src_emb(src))
        packed = nn.utils.rnn.pack_padded_sequence(x, src_len.cpu(), batch_first=True, enforce_sorted=False)
        out, final = self.encoder(packed)
        out, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=src.shape[1])
        mask = src == PAD
        if self.arch == "lstm":
            h, c = self._dirs(final[0]), self._dirs(final[1])
            state = [(torch.tanh(self.bridge_h[i](h[i])), torch.tanh(self.bridge_c[i](c[i]))) for i in range(self.layers)]
        else:
            h = self._dirs(final)
            state = [torch.tanh(self.bridge_h[i](h[i])) for i in range(self.layers)]
        return out, mask, state

    def step(self, y, state, feed, mem, mem_keys, mask):
        x = torch.cat([self.drop(self.tgt_emb(y)), feed], dim=-1)
        new_state = []
        for i, cell in enumerate(self.cells):
            s = cell(x, state[i])
            new_state.append(s)
            x = s[0] if self.arch == "lstm" else s
        if self.attention == "bahdanau":
            e = torch.tanh(mem_keys + self.attn_q(x).unsqueeze(1))
            scores = self.attn_v(e).squeeze(2)
        else:
            scores = torch.bmm(mem_keys, x.unsqueeze(2)).squeeze(2)
        scores = scores.masked_fill(mask, float("-inf"))
        alpha = torch.softmax(scores, dim=-1)
        ctx = torch.bmm(alpha.unsqueeze(1), mem).squeeze(1)
        feed = torch.tanh(self.attn_out(torch.cat([ctx, x], dim=-1)))
        return self.proj(self.drop(feed)), new_state, feed, alpha

    def loss(self, src, src_len, tgt_in, tgt_out, label_smoothing=0.0):
        mem, mask, state = self.encode(src, src_len)
        mem_keys = self.keys(mem)  # W_a h_s (or W_1 h_s) once per sentence
        feed = mem.new_zeros(src.shape[0], self.hidden)
        logits = []
        for t in range(tgt_in.shape[1]):
            lt, state, feed, _ = self.step(tgt_in[:, t], state, feed, mem, mem_keys, mask)
            logits.append(lt)
        logits = torch.stack(logits, dim=1)
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tgt_out.reshape(-1), ignore_index=PAD, label_smoothing=label_smoothing)

    @torch.no_grad()
    def greedy(self, src, src_len, max_len):
        mem, mask, state = self.encode(src, src_len)
        mem_keys = self.keys(mem)
        B = src.shape[0]
        feed = mem.new_zeros(B, self.hidden)
        y = torch.full((B,), BOS, dtype=torch.long)
        done = torch.zeros(B, dtype=torch.bool)
        out = []
        for _ in range(max_len):
            logits, state, feed, _ = self.step(y, state, feed, mem, mem_keys, mask)
            y = logits.argmax(-1)
            out.append(y)
            done |= y == EOS
            if bool(done.all()):
                break
        return torch.stack(out, 1)

    @torch.no_grad()
    def beam(self, src, src_len, k, max_len, with_scores=False):
        """Batched beam search: B sentences × k hypotheses as B·k rows (B × k × steps tokens, best
        first by raw log-probability; a finished row keeps its score and repeats EOS). With
        with_scores, also the rows' B × k log-probabilities, for a length penalty to re-rank."""
        mem, mask, state = self.encode(src, src_len)
        B = src.shape[0]
        rep = lambda t: t.repeat_interleave(k, dim=0)  # noqa: E731
        mem, mask = rep(mem), rep(mask)
        mem_keys = self.keys(mem)
        state = [tuple(rep(x) for x in st) if isinstance(st, tuple) else rep(st) for st in state]
        feed = mem.new_zeros(B * k, self.hidden)
        y = torch.full((B * k,), BOS, dtype=torch.long)
        scores = torch.full((B, k), float("-inf"))
        scores[:, 0] = 0
        finished = torch.zeros(B, k, dtype=torch.bool)
        hist = []
        V = self.proj.out_features
        for t in range(max_len):
            logits, state, feed, _ = self.step(y, state, feed, mem, mem_keys, mask)
            logp = torch.log_softmax(logits, -1).view(B, k, V)
            # finished hypotheses extend only with EOS at no cost
            logp = torch.where(finished.unsqueeze(-1), torch.full_like(logp, float("-inf")), logp)
            logp[..., EOS] = torch.where(finished, torch.zeros_like(scores), logp[..., EOS])
            cand = (scores.unsqueeze(-1) + logp).view(B, k * V)
            scores, idx = cand.topk(k, dim=-1)
            origin = torch.div(idx, V, rounding_mode="floor")
            tok = idx % V
            flat = (origin + torch.arange(B).unsqueeze(1) * k).view(-1)
            state = [tuple(x[flat] for x in st) if isinstance(st, tuple) else st[flat] for st in state]
            feed = feed[flat]
            finished = finished.gather(1, origin) | (tok == EOS)
            hist = [h_.gather(1, origin) for h_ in hist] + [tok]
            y = tok.view(-1)
            if bool(finished.all()):
                break
        out = torch.stack(hist, -1)
        return (out, scores) if with_scores else out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--src-len", type=int, default=20)
    ap.add_argument("--tgt-len", type=int, default=20)
    ap.add_argument("--vocab", type=int, default=1000)
    ap.add_argument("--emb", type=int, default=256)
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--layers", type=int, default=1)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--decode-batches", type=int, default=3)
    ap.add_argument("--beam", type=int, default=5)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--arch", choices=sorted(RNNS), default="lstm")
    ap.add_argument("--attention", choices=["dot", "general", "bahdanau"], default="general")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    model = Seq2Seq(a.vocab, a.emb, a.hidden, a.layers, a.arch, a.attention)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    g = torch.Generator().manual_seed(a.seed)
    B, S, T = a.batch, a.src_len, a.tgt_len
    src = torch.randint(4, a.vocab, (B, S), generator=g)
    src_len = torch.full((B,), S, dtype=torch.long)
    y = torch.randint(4, a.vocab, (B, T - 1), generator=g)
    tgt_in = torch.cat([torch.full((B, 1), BOS), y], 1)
    tgt_out = torch.cat([y, torch.full((B, 1), EOS)], 1)

    model.train()
    times, cpu_times, losses = [], [], []
    for i in range(a.warmup + a.steps):
        c0 = time.process_time()
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = model.loss(src, src_len, tgt_in, tgt_out)
        loss.backward()
        opt.step()
        dt = time.perf_counter() - t0
        dc = time.process_time() - c0
        losses.append(float(loss))
        if i >= a.warmup:
            times.append(dt)
            cpu_times.append(dc)
    ms = statistics.median(times) * 1000

    model.eval()
    max_len = T
    model.greedy(src, src_len, max_len)  # warm-up
    t0 = time.perf_counter()
    for _ in range(a.decode_batches):
        model.greedy(src, src_len, max_len)
    greedy_sps = a.decode_batches * B / (time.perf_counter() - t0)
    model.beam(src[:8], src_len[:8], a.beam, max_len)
    t0 = time.perf_counter()
    for _ in range(a.decode_batches):
        model.beam(src, src_len, a.beam, max_len)
    beam_sps = a.decode_batches * B / (time.perf_counter() - t0)

    print(json.dumps({
        "engine": "pytorch",
        "version": torch.__version__,
        "threads": a.threads,
        "batch": B, "src_len": S, "tgt_len": T, "vocab": a.vocab, "emb": a.emb, "hidden": a.hidden, "layers": a.layers,
        "arch": a.arch, "attention": a.attention,
        "params": sum(p.numel() for p in model.parameters()),
        "steps": a.steps,
        "ms_per_step": round(ms, 2),
        "cpu_ms_per_step": round(statistics.median(cpu_times) * 1000, 2),
        "tgt_tok_per_s": round(B * T / (ms / 1000), 1),
        "first_loss": round(losses[0], 4),
        "greedy_sent_per_s": round(greedy_sps, 1),
        "beam_sent_per_s": round(beam_sps, 1),
        "beam": a.beam,
    }))


if __name__ == "__main__":
    sys.exit(main())
