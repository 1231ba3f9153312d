#!/usr/bin/python3
"""PyTorch peer of `s2s bench train --arch transformer`: the same model, the same step, the same JSON.

Model (defaults = the s2s Transformer benchmark model): source and target embeddings of --emb
(vocabulary --vocab) scaled by sqrt(emb), plus sinusoidal positions; --layers encoder layers
(self-attention, feed-forward) and --dec-layers decoder layers (causal self-attention, attention
over the encoder output, feed-forward), --heads heads, a feed-forward of --ffn with ReLU (--act
gelu), residuals around each sub-layer, layer norm before each sub-layer and after each stack
(pre-norm; --post-norm puts it after each residual instead, with no final one), dropout --dropout
on the embeddings and the sub-layer outputs, --attention-dropout on the attention weights and
--activation-dropout after the activation (fairseq's three, and s2s's); an output layer to the
vocabulary (--tie: the target embedding's matrix, --share: the source embedding is that matrix
too; --out-bias adds a bias). One step = forward + token-mean cross-entropy + backward + Adam.

The layers are written out (one fused q/k/v projection for self-attention, k/v for the
cross-attention) so that decoding can use the same modules with a key/value cache: each decoder
layer's self-attention keys and values sit in a buffer of max_len rows written one row per step
(the prefix is never recomputed), the cross-attention keys and values are computed once per
sentence, and beam search reorders the self-attention buffers with the beams. `--impl nn`
trains torch.nn.Transformer instead (to check the written-out layers are not the slower choice).

Run with Debian's python3-torch:
  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/peers/transformer_torch.py --threads 1
Prints one JSON object: ms_per_step (median after warm-up), tgt_tok_per_s, greedy/beam sentences/s.
"""
import argparse
import json
import math
import os
import statistics
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

PAD, BOS, EOS = 0, 2, 3


def sinusoids(n, d):
    """Vaswani et al.'s positions: sin on even features, cos on odd, wavelengths 2π … 10000·2π."""
    pos = torch.arange(n, dtype=torch.float32).unsqueeze(1)
    inv = torch.exp(torch.arange(0, d, 2, dtype=torch.float32) * (-math.log(10000.0) / d))
    pe = torch.zeros(n, d)
    pe[:, 0::2] = torch.sin(pos * inv)
    pe[:, 1::2] = torch.cos(pos * inv)[:, : d // 2]
    return pe


def xavier(lin, block):
    """Xavier-uniform weights, each `block` rows on their own (a fused q/k/v matrix is three d×d
    matrices), and zero biases: how fairseq and s2s initialise these layers. The speed does not
    depend on it; the first loss does."""
    for w in lin.weight.data.split(block, 0):
        nn.init.xavier_uniform_(w)
    nn.init.zeros_(lin.bias)


class Attention(nn.Module):
    """Multi-head attention; self-attention projects q, k, v with one matrix, cross-attention k, v with one."""

    def __init__(self, d, heads, dropout, cross):  # dropout: on the attention weights
        super().__init__()
        assert d % heads == 0
        self.h, self.dh, self.cross, self.dropout = heads, d // heads, cross, dropout
        if cross:
            self.q = nn.Linear(d, d)
            self.kv = nn.Linear(d, 2 * d)
        else:
            self.qkv = nn.Linear(d, 3 * d)
        self.out = nn.Linear(d, d)
        for lin in self.children():
            xavier(lin, d)

    def split(self, x):  # (B, T, d) -> (B·h, T, dh): 3-d batched matmuls are PyTorch's fastest here
        B, T, _ = x.shape
        return x.view(B, T, self.h, self.dh).transpose(1, 2).reshape(B * self.h, T, self.dh)

    def memory(self, mem):
        """Cross-attention keys and values of the encoder output, (B·h, S, dh) each."""
        k, v = self.kv(mem).chunk(2, dim=-1)
        return self.split(k), self.split(v)

    def attend(self, q, k, v, bias):
        """q (B·h, T, dh), k and v (B·h, S, dh); bias broadcasts to (B·h, T, S) or is None."""
        # q is scaled before the product (T·dh multiplies instead of T·S); baddbmm adds the mask in the gemm
        q = q * (self.dh ** -0.5)
        kt = k.transpose(1, 2)
        scores = torch.bmm(q, kt) if bias is None else torch.baddbmm(bias, q, kt)
        w = torch.softmax(scores, dim=-1)
        if self.dropout > 0 and self.training:
            w = F.dropout(w, self.dropout, True)
        o = torch.bmm(w, v)
        N, T, _ = o.shape
        B = N // self.h
        return self.out(o.view(B, self.h, T, self.dh).transpose(1, 2).reshape(B, T, self.h * self.dh))

    def forward(self, x, bias=None, mem_kv=None):
        if self.cross:
            k, v = mem_kv
            return self.attend(self.split(self.q(x)), k, v, bias)
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        return self.attend(self.split(q), self.split(k), self.split(v), bias)

    def step(self, x, cache, t, bias=None):
        """Self-attention of one new position x (N, 1, d): its k, v go into row t of the cache (N·h, max_len, dh)."""
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        ck, cv = cache
        ck[:, t : t + 1] = self.split(k)
        cv[:, t : t + 1] = self.split(v)
        return self.attend(self.split(q), ck[:, : t + 1], cv[:, : t + 1], bias)


class FeedForward(nn.Module):
    def __init__(self, d, ffn, dropout, act):
        super().__init__()
        self.w1, self.w2, self.dropout = nn.Linear(d, ffn), nn.Linear(ffn, d), dropout
        xavier(self.w1, ffn)
        xavier(self.w2, d)
        self.act = F.gelu if act == "gelu" else F.relu

    def forward(self, x):
        h = self.act(self.w1(x))
        if self.dropout > 0 and self.training:
            h = F.dropout(h, self.dropout, True)
        return self.w2(h)


class Block(nn.Module):
    """One encoder (cross=False) or decoder (cross=True) layer: its sub-layers with residuals and norms."""

    def __init__(self, d, heads, ffn, a, decoder):
        super().__init__()
        self.post_norm, self.dropout, self.decoder = a.post_norm, a.dropout, decoder
        self.self_attn = Attention(d, heads, a.attention_dropout, cross=False)
        self.cross_attn = Attention(d, heads, a.attention_dropout, cross=True) if decoder else None
        self.ffn = FeedForward(d, ffn, a.activation_dropout, a.act)
        self.norms = nn.ModuleList([nn.LayerNorm(d) for _ in range(3 if decoder else 2)])

    def drop(self, x):
        return F.dropout(x, self.dropout, True) if self.dropout > 0 and self.training else x

    def sub(self, i, x, f):
        if self.post_norm:
            return self.norms[i](x + self.drop(f(x)))
        return x + self.drop(f(self.norms[i](x)))

    def forward(self, x, self_bias, mem_kv=None, mem_bias=None):
        x = self.sub(0, x, lambda y: self.self_attn(y, self_bias))
        if self.decoder:
            x = self.sub(1, x, lambda y: self.cross_attn(y, mem_bias, mem_kv))
        return self.sub(len(self.norms) - 1, x, self.ffn)

    def step(self, x, cache, t, mem_kv, mem_bias):
        x = self.sub(0, x, lambda y: self.self_attn.step(y, cache, t))
        x = self.sub(1, x, lambda y: self.cross_attn(y, mem_bias, mem_kv))
        return self.sub(2, x, self.ffn)


class Transformer(nn.Module):
    def __init__(self, a):
        super().__init__()
        d = a.emb
        self.d, self.post_norm, self.dropout = d, a.post_norm, a.dropout
        self.tgt_emb = nn.Embedding(a.vocab, d, padding_idx=PAD)
        self.src_emb = self.tgt_emb if a.share else nn.Embedding(a.vocab, d, padding_idx=PAD)
        nn.init.normal_(self.tgt_emb.weight, 0, d ** -0.5)
        if not a.share:
            nn.init.normal_(self.src_emb.weight, 0, d ** -0.5)
        self.register_buffer("pe", sinusoids(max(a.src_len, a.tgt_len) + 1, d), persistent=False)
        self.enc = nn.ModuleList([Block(d, a.heads, a.ffn, a, False) for _ in range(a.layers)])
        self.dec = nn.ModuleList([Block(d, a.heads, a.ffn, a, True) for _ in range(a.dec_layers)])
        self.enc_norm = None if a.post_norm else nn.LayerNorm(d)
        self.dec_norm = None if a.post_norm else nn.LayerNorm(d)
        self.tie = a.tie or a.share
        self.proj_w = None if self.tie else nn.Parameter(nn.init.xavier_uniform_(torch.empty(a.vocab, d)))
        self.proj_b = nn.Parameter(torch.zeros(a.vocab)) if a.out_bias else None
        self.vocab = a.vocab

    def embed(self, table, ids, offset=0):
        x = table(ids) * math.sqrt(self.d) + self.pe[offset : offset + ids.shape[1]]
        return F.dropout(x, self.dropout, True) if self.dropout > 0 and self.training else x

    def logits(self, h):
        return F.linear(h, self.tgt_emb.weight if self.tie else self.proj_w, self.proj_b)

    def pad_bias(self, src, k=1):
        """(B·k·h, 1, S) additive -inf where the source is padding, each sentence's row repeated for
        its k beams and h heads; None when no row has padding (fairseq skips the mask then too)."""
        m = src == PAD
        if not bool(m.any()):
            return None
        B, S = src.shape
        h = self.dec[0].self_attn.h if len(self.dec) else self.enc[0].self_attn.h
        bias = torch.zeros(m.shape, dtype=torch.float32).masked_fill(m, float("-inf"))
        return bias.view(B, 1, 1, S).expand(B, k * h, 1, S).reshape(B * k * h, 1, S)

    def encode(self, src):
        bias = self.pad_bias(src)
        x = self.embed(self.src_emb, src)
        for blk in self.enc:
            x = blk(x, bias)
        return (x if self.enc_norm is None else self.enc_norm(x)), bias

    def loss(self, src, tgt_in, tgt_out):
        mem, mem_bias = self.encode(src)
        T = tgt_in.shape[1]
        causal = torch.triu(torch.full((T, T), float("-inf")), diagonal=1)
        x = self.embed(self.tgt_emb, tgt_in)
        for blk in self.dec:
            x = blk(x, causal, blk.cross_attn.memory(mem), mem_bias)
        if self.dec_norm is not None:
            x = self.dec_norm(x)
        logits = self.logits(x)
        return F.cross_entropy(logits.reshape(-1, self.vocab), tgt_out.reshape(-1), ignore_index=PAD)

    # ---- incremental decoding -------------------------------------------------------------
    def start(self, src, k, max_len):
        """Encodes once, repeats the memory's keys/values k times (beam rows of a sentence are adjacent),
        and allocates each decoder layer's self-attention cache of max_len positions."""
        mem, mem_bias = self.encode(src)
        B, S, _ = mem.shape
        a = self.dec[0].self_attn
        rep = lambda t: t.view(B, a.h, S, a.dh).repeat_interleave(k, 0).view(B * k * a.h, S, a.dh)  # noqa: E731
        mem_kv = []
        for blk in self.dec:
            kk, vv = blk.cross_attn.memory(mem)
            mem_kv.append((rep(kk), rep(vv)) if k > 1 else (kk, vv))
        if k > 1:
            mem_bias = self.pad_bias(src, k)
        cache = [(mem.new_empty(B * k * a.h, max_len, a.dh), mem.new_empty(B * k * a.h, max_len, a.dh)) for _ in self.dec]
        return mem_kv, mem_bias, cache

    def step(self, y, t, mem_kv, mem_bias, cache):
        """Log-probabilities (N, V) of the next token after y (N,) at position t."""
        x = self.embed(self.tgt_emb, y.view(-1, 1), offset=t)
        for i, blk in enumerate(self.dec):
            x = blk.step(x, cache[i], t, mem_kv[i], mem_bias)
        if self.dec_norm is not None:
            x = self.dec_norm(x)
        return torch.log_softmax(self.logits(x.squeeze(1)), -1)

    @torch.no_grad()
    def greedy(self, src, max_len, stop=True):
        """stop=False: no row stops at EOS, every sentence runs max_len steps (--full-length)."""
        mem_kv, mem_bias, cache = self.start(src, 1, max_len)
        B = src.shape[0]
        y = torch.full((B,), BOS, dtype=torch.long)
        done = torch.zeros(B, dtype=torch.bool)
        out = []
        for t in range(max_len):
            y = self.step(y, t, mem_kv, mem_bias, cache).argmax(-1)
            out.append(y)
            if stop:
                done |= y == EOS
                if bool(done.all()):
                    break
        return torch.stack(out, 1)

    @torch.no_grad()
    def beam(self, src, k, max_len, stop=True):
        """Batched beam search: B sentences × k hypotheses as B·k rows; the cache follows the beams.
        stop=False: EOS is a token like any other, every sentence runs max_len steps (--full-length)."""
        mem_kv, mem_bias, cache = self.start(src, k, max_len)
        B, V = src.shape[0], self.vocab
        y = torch.full((B * k,), BOS, dtype=torch.long)
        scores = torch.full((B, k), float("-inf"))
        scores[:, 0] = 0
        finished = torch.zeros(B, k, dtype=torch.bool)
        base = (torch.arange(B) * k).unsqueeze(1)
        hist = []
        for t in range(max_len):
            logp = self.step(y, t, mem_kv, mem_bias, cache).view(B, k, V)
            if stop:
                # finished hypotheses extend only with EOS at no cost
                logp = torch.where(finished.unsqueeze(-1), torch.full_like(logp, float("-inf")), logp)
                logp[..., EOS] = torch.where(finished, torch.zeros_like(scores), logp[..., EOS])
            scores, idx = (scores.unsqueeze(-1) + logp).view(B, k * V).topk(k, dim=-1)
            origin = torch.div(idx, V, rounding_mode="floor")
            tok = idx % V
            rows = (origin + base).view(-1)
            # only the filled prefix of each layer's cache moves with the beams
            for c in cache:
                for buf in c:
                    b4 = buf.view(B * k, -1, buf.shape[1], buf.shape[2])
                    b4[:, :, : t + 1] = b4[rows, :, : t + 1]
            hist = [h_.gather(1, origin) for h_ in hist] + [tok]
            y = tok.view(-1)
            if stop:
                finished = finished.gather(1, origin) | (tok == EOS)
                if bool(finished.all()):
                    break
        return torch.stack(hist, -1)


@torch.no_grad()
def self_check(model, src, tgt_in):
    """The cached decoder's log-probabilities equal the full teacher-forced forward's at every
    position, beam 1 equals greedy, and beam 5 of a padded sentence is the same alone and in a
    batch; raises if not (--check)."""
    model.eval()
    src = src.clone()
    src[::2, -5:] = PAD  # every other sentence 5 tokens shorter: the padding mask is exercised too
    mem, mem_bias = model.encode(src)
    T = tgt_in.shape[1]
    causal = torch.triu(torch.full((T, T), float("-inf")), diagonal=1)
    x = model.embed(model.tgt_emb, tgt_in)
    for blk in model.dec:
        x = blk(x, causal, blk.cross_attn.memory(mem), mem_bias)
    if model.dec_norm is not None:
        x = model.dec_norm(x)
    full = torch.log_softmax(model.logits(x), -1)
    mem_kv, mem_bias, cache = model.start(src, 1, T)
    worst = max(float((model.step(tgt_in[:, t], t, mem_kv, mem_bias, cache) - full[:, t]).abs().max()) for t in range(T))
    if worst > 1e-5:
        raise SystemExit(f"self-check: cached step differs from the full forward by {worst}")
    g, b = model.greedy(src, T), model.beam(src, 1, T)[:, 0, :]
    # greedy keeps writing tokens after a row's EOS (until every row is done); beam repeats EOS
    after_eos = lambda y: (y == EOS).long().cumsum(1).roll(1, 1).index_fill(1, torch.tensor([0]), 0) > 0  # noqa: E731
    if g.shape != b.shape or not torch.equal(g.masked_fill(after_eos(g), EOS), b):
        raise SystemExit("self-check: beam 1 differs from greedy")
    alone, batched = model.beam(src[:1], 5, T), model.beam(src, 5, T)[:1]
    n = min(alone.shape[-1], batched.shape[-1])  # the batch may run longer; its extra steps only repeat EOS
    if not torch.equal(alone[..., :n], batched[..., :n]):
        raise SystemExit("self-check: beam 5 of a padded sentence differs alone and in a batch")
    return worst


class NNTransformer(nn.Module):
    """--impl nn: torch.nn.Transformer for the training step (no incremental decoding of its own;
    its one dropout is --dropout, on the attention weights and activations too)."""

    def __init__(self, a):
        super().__init__()
        d = a.emb
        self.d, self.vocab, self.dropout = d, a.vocab, a.dropout
        self.tgt_emb = nn.Embedding(a.vocab, d, padding_idx=PAD)
        self.src_emb = self.tgt_emb if a.share else nn.Embedding(a.vocab, d, padding_idx=PAD)
        self.register_buffer("pe", sinusoids(max(a.src_len, a.tgt_len) + 1, d), persistent=False)
        self.net = nn.Transformer(d, a.heads, a.layers, a.dec_layers, a.ffn, a.dropout, activation=a.act, batch_first=True, norm_first=not a.post_norm)
        self.tie = a.tie or a.share
        self.proj_w = None if self.tie else nn.Parameter(torch.randn(a.vocab, d) * d ** -0.5)
        self.proj_b = nn.Parameter(torch.zeros(a.vocab)) if a.out_bias else None

    def loss(self, src, tgt_in, tgt_out):
        e = lambda tab, ids: F.dropout(tab(ids) * math.sqrt(self.d) + self.pe[: ids.shape[1]], self.dropout, self.training)  # noqa: E731
        T = tgt_in.shape[1]
        causal = torch.triu(torch.full((T, T), float("-inf")), diagonal=1)
        h = self.net(e(self.src_emb, src), e(self.tgt_emb, tgt_in), tgt_mask=causal)
        logits = F.linear(h, self.tgt_emb.weight if self.tie else self.proj_w, self.proj_b)
        return F.cross_entropy(logits.reshape(-1, self.vocab), tgt_out.reshape(-1), ignore_index=PAD)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--src-len", type=int, default=20)
    ap.add_argument("--tgt-len", type=int, default=20)
    ap.add_argument("--vocab", type=int, default=1000)
    ap.add_argument("--emb", type=int, default=256, help="model width d (embeddings, attention, residual stream)")
    ap.add_argument("--layers", type=int, default=3, help="encoder layers")
    ap.add_argument("--dec-layers", type=int, default=None, help="decoder layers (default: --layers)")
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--ffn", type=int, default=1024)
    ap.add_argument("--act", choices=["relu", "gelu"], default="relu")
    ap.add_argument("--dropout", type=float, default=0.0, help="on the embeddings and every sub-layer's output")
    ap.add_argument("--attention-dropout", type=float, default=0.0, help="on the attention weights")
    ap.add_argument("--activation-dropout", type=float, default=0.0, help="after the feed-forward activation")
    ap.add_argument("--post-norm", action="store_true")
    ap.add_argument("--tie", action="store_true", help="output layer = target embedding")
    ap.add_argument("--share", action="store_true", help="source embedding = target embedding = output layer")
    ap.add_argument("--out-bias", action="store_true", help="a bias on the output layer")
    ap.add_argument("--impl", choices=["written", "nn"], default="written")
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--decode-batches", type=int, default=3)
    ap.add_argument("--beam", type=int, default=5)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--full-length", action="store_true", help="decoding ignores EOS: every sentence runs --tgt-len steps (s2s bench train passes it, and gives s2s's searches an EOS that never occurs)")
    ap.add_argument("--check", action="store_true", help="first check the cached decoder against the full forward, and beam 1 against greedy")
    a = ap.parse_args()
    if a.dec_layers is None:
        a.dec_layers = a.layers
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    model = Transformer(a) if a.impl == "written" else NNTransformer(a)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    g = torch.Generator().manual_seed(a.seed)
    B, S, T = a.batch, a.src_len, a.tgt_len
    src = torch.randint(4, a.vocab, (B, S), generator=g)
    y = torch.randint(4, a.vocab, (B, T - 1), generator=g)
    tgt_in = torch.cat([torch.full((B, 1), BOS), y], 1)
    tgt_out = torch.cat([y, torch.full((B, 1), EOS)], 1)

    check = self_check(model, src, tgt_in) if a.check and a.impl == "written" else None
    model.train()
    times, cpu_times, losses = [], [], []
    for i in range(a.warmup + a.steps):
        c0 = time.process_time()
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = model.loss(src, tgt_in, tgt_out)
        loss.backward()
        opt.step()
        dt = time.perf_counter() - t0
        dc = time.process_time() - c0
        losses.append(float(loss))
        if i >= a.warmup:
            times.append(dt)
            cpu_times.append(dc)
    ms = statistics.median(times) * 1000

    greedy_sps = beam_sps = None
    if a.impl == "written" and a.decode_batches > 0:
        model.eval()
        stop = not a.full_length
        model.greedy(src, T, stop)  # warm-up
        t0 = time.perf_counter()
        for _ in range(a.decode_batches):
            model.greedy(src, T, stop)
        greedy_sps = round(a.decode_batches * B / (time.perf_counter() - t0), 1)
        model.beam(src[:8], a.beam, T, stop)
        t0 = time.perf_counter()
        for _ in range(a.decode_batches):
            model.beam(src, a.beam, T, stop)
        beam_sps = round(a.decode_batches * B / (time.perf_counter() - t0), 1)

    print(json.dumps({
        "engine": "pytorch",
        "version": torch.__version__,
        "impl": a.impl,
        "threads": a.threads,
        "blas_threads": int(os.environ["OPENBLAS_NUM_THREADS"]),
        "batch": B, "src_len": S, "tgt_len": T, "vocab": a.vocab, "emb": a.emb, "hidden": a.emb,
        "layers": a.layers, "dec_layers": a.dec_layers, "heads": a.heads, "ffn": a.ffn, "dropout": a.dropout,
        "attention_dropout": a.attention_dropout, "activation_dropout": a.activation_dropout,
        "arch": "transformer", "attention": "multi-head",
        "params": sum(p.numel() for p in model.parameters()),
        "steps": a.steps,
        "ms_per_step": round(ms, 2),
        "cpu_ms_per_step": round(statistics.median(cpu_times) * 1000, 2),
        "tgt_tok_per_s": round(B * T / (ms / 1000), 1),
        "first_loss": round(losses[0], 4),
        "greedy_sent_per_s": greedy_sps,
        "beam_sent_per_s": beam_sps,
        "beam": a.beam,
        "full_length": a.full_length,
        **({"check_max_abs_diff": check} if check is not None else {}),
    }))


if __name__ == "__main__":
    sys.exit(main())
