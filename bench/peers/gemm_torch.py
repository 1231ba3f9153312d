"""PyTorch peer of bench/gemm.ts: GFLOP/s of C = A·B (float32, M×K times K×N) through torch.matmul,
which Debian's torch hands to OpenBLAS. Run once per thread count with OPENBLAS_NUM_THREADS set by
the caller (read when torch loads). Median of --reps timed batches of ~60 ms after warm-up, as the
TypeScript side. Prints one JSON line: {"threads": N, "openblas_threads": N, "torch": VERSION, "rows": [{"shape", "gflops"}]}."""
import argparse, json, os, time
import torch

p = argparse.ArgumentParser()
p.add_argument('--shapes', required=True, help='MxKxN list, e.g. 64x256x1024,512x512x512')
p.add_argument('--threads', type=int, default=1)
p.add_argument('--reps', type=int, default=7)
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(1)
rows = []
for item in a.shapes.split(','):
    M, K, N = (int(x) for x in item.split('x'))
    A = torch.rand(M, K) - 0.5
    B = torch.rand(K, N) - 0.5
    C = torch.empty(M, N)
    for _ in range(3):
        torch.matmul(A, B, out=C)
    t0 = time.perf_counter()
    torch.matmul(A, B, out=C)
    n = max(1, round(0.06 / max(1e-6, time.perf_counter() - t0)))
    times = []
    for _ in range(a.reps):
        s = time.perf_counter()
        for _ in range(n):
            torch.matmul(A, B, out=C)
        times.append((time.perf_counter() - s) / n)
    times.sort()
    rows.append({'shape': item, 'gflops': round(2 * M * K * N / times[len(times) // 2] / 1e8) / 10})
print(json.dumps({'threads': a.threads, 'openblas_threads': int(os.environ.get('OPENBLAS_NUM_THREADS', '0') or 0), 'torch': torch.__version__, 'rows': rows}))
