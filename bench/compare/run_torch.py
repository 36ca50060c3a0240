#!/usr/bin/python3
"""PyTorch eager runner of bench/compare: one process = one measurement, printed as the JSON of `onyx bench --json`.

    /usr/bin/python3 bench/compare/run_torch.py --model-dir DIR --threads 2 --warmup 50 --runs 1000 \
        --input input_ids=ids.npy --input attention_mask=mask.npy
    /usr/bin/python3 bench/compare/run_torch.py --model-dir DIR --threads 2 --batches sst2_batches.json --warmup 3

"Session creation" is building the module and loading pytorch_model.bin (make_model.py wrote both). Runs use
torch.inference_mode(), torch.set_num_threads(--threads) and one inter-op thread. With --batches (pre-tokenized
batches from tokenize_sst2.js) a timed run is one batch, cycling; --runs 0 = one pass over the batches.
"""

import argparse
import json
import os
import resource
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def percentile(v, p):
    v = sorted(v)
    pos = p / 100 * (len(v) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (pos - lo)


def latency_json(ms):
    mean = sum(ms) / len(ms)
    var = sum((x - mean) ** 2 for x in ms) / max(1, len(ms) - 1)
    return {"mean": mean, "p50": percentile(ms, 50), "p90": percentile(ms, 90), "p99": percentile(ms, 99),
            "min": min(ms), "max": max(ms), "stddev": var ** 0.5}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model-dir", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--warmup", type=int, default=50)
    ap.add_argument("--runs", type=int, default=1000)
    ap.add_argument("--input", action="append", default=[], help="NAME=FILE.npy")
    ap.add_argument("--batches", help="pre-tokenized batches (JSON from tokenize_sst2.js)")
    args = ap.parse_args()

    rss_before = rss_mb()
    import numpy as np
    import torch
    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    sys.path.insert(0, HERE)
    import make_model  # the model definition (scripts/test_models) and its config

    if args.batches:
        with open(args.batches) as f:
            spec = json.load(f)
        batches = [{k: torch.tensor(b[k], dtype=torch.int64) for k in ("input_ids", "attention_mask")}
                   for b in spec["batches"]]
        kind = "file"
    else:
        feeds = {}
        for item in args.input:
            name, path = item.split("=", 1)
            feeds[name] = torch.from_numpy(np.load(path))
        batches = [feeds]
        kind = "npy"
    runs = args.runs if args.runs > 0 else len(batches)

    t0 = time.perf_counter()
    model = make_model.build()
    model.load_state_dict(torch.load(os.path.join(args.model_dir, "pytorch_model.bin")))
    model.eval()
    create_ms = (time.perf_counter() - t0) * 1e3

    def run(i):
        b = batches[i % len(batches)]
        return model(b["input_ids"], b["attention_mask"])

    with torch.inference_mode():
        t0 = time.perf_counter()
        run(0)
        first_ms = (time.perf_counter() - t0) * 1e3
        for i in range(args.warmup):
            run(i)
        lat = []
        sequences = real = padded = 0
        t_loop = time.perf_counter()
        for i in range(runs):
            t0 = time.perf_counter()
            run(i)
            lat.append((time.perf_counter() - t0) * 1e3)
            b = batches[i % len(batches)]
            sequences += b["input_ids"].shape[0]
            padded += b["input_ids"].numel()
            real += int(b["attention_mask"].sum())
        total_s = time.perf_counter() - t_loop

    ids = batches[0]["input_ids"]
    out = {
        "engine": "pytorch", "version": torch.__version__, "model": args.model_dir, "precision": "fp32",
        "threads": args.threads, "batch": int(ids.shape[0]), "seq": None if kind == "file" else int(ids.shape[1]),
        "inputs": kind, "tokenization_included": False, "batches": len(batches), "warmup": args.warmup,
        "runs": runs, "session_create_ms": create_ms, "first_run_ms": first_ms, "rss_before_load_mb": rss_before,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "latency_ms": latency_json(lat),
        "total_s": total_s,
        "throughput": {"inferences_per_s": runs / total_s, "sequences_per_s": sequences / total_s,
                       "tokens_per_s": real / total_s},
        "sequences": sequences, "tokens": {"real": real, "padded": padded},
    }
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
