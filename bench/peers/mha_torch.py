"""PyTorch peer of bench/mha.ts: forward + backward of multi-head attention written with torch ops
(torch 1.13 has no fused scaled_dot_product_attention): q, k, v [B, T, D] viewed as heads,
scores = q·kᵀ/√dh, padding (and causal) masks by masked_fill, softmax, dropout, ·v, backward of a
fixed random projection. Prints one JSON line: median wall ms (and process CPU ms) per forward + backward."""
import argparse, json, math, time
import torch

p = argparse.ArgumentParser()
for name, default in [('batch', 64), ('heads', 4), ('tq', 20), ('tk', 20), ('dh', 64), ('threads', 1), ('reps', 7)]:
    p.add_argument('--' + name, type=int, default=default)
p.add_argument('--causal', action='store_true')
p.add_argument('--dropout', type=float, default=0.1)
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(1)
B, H, T, S, dh = a.batch, a.heads, a.tq, a.tk, a.dh
D = H * dh
q = torch.randn(B, T, D, requires_grad=True)
k = torch.randn(B, S, D, requires_grad=True)
v = torch.randn(B, S, D, requires_grad=True)
pad = torch.zeros(B, S, dtype=torch.bool)
pad[::2, S - 3:] = True  # every other sentence 3 keys shorter, as bench/mha.ts
proj = torch.randn(B, T, D)
causal = torch.ones(T, S, dtype=torch.bool).triu(S - T + 1) if a.causal else None


def step():
    qh = q.view(B, T, H, dh).transpose(1, 2)
    kh = k.view(B, S, H, dh).transpose(1, 2)
    vh = v.view(B, S, H, dh).transpose(1, 2)
    s = torch.matmul(qh, kh.transpose(-1, -2)) / math.sqrt(dh)
    mask = pad[:, None, None, :]
    if causal is not None:
        mask = mask | causal[None, None]
    w = torch.softmax(s.masked_fill(mask, float('-inf')), dim=-1)
    w = torch.nn.functional.dropout(w, a.dropout, training=True)
    out = torch.matmul(w, vh).transpose(1, 2).reshape(B, T, D)
    (out * proj).sum().backward()
    q.grad = k.grad = v.grad = None


for _ in range(5):
    step()
once = time.perf_counter()
step()
once = time.perf_counter() - once
per = max(1, round(0.06 / max(once, 1e-4)))
times, cpu = [], []
for _ in range(a.reps):
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(per):
        step()
    times.append((time.perf_counter() - t0) / per * 1000)
    cpu.append((time.process_time() - c0) / per * 1000)
times.sort()
cpu.sort()
print(json.dumps({'peer': 'torch', 'version': torch.__version__, 'threads': a.threads, 'ms': times[len(times) // 2], 'cpuMs': cpu[len(cpu) // 2]}))
