#!/usr/bin/env python3
"""Tokenizer encode throughput: onyx vs the Rust reference (and transformers.js), same inputs, same run.

Usage (from the repository root, after building onyx_tokenizers_bench, e.g. with
-DONYX_BUILD_BENCH=ON):
  python3 bench/tokenizers/run_bench.py [--onyx-bin build/bench/tokenizers/onyx_tokenizers_bench]
      [--shared ../shared] [--min-seconds 1.0] [--tokenizers a,b,...] [--no-tjs]

Inputs (written to a temporary folder): `sst2` = the 872 SST-2 dev sentences, one text each;
`long` = 24 documents of consecutive SST-2 sentences joined by spaces, ~9,000 chars each (about
2,000 tokens for the English vocabularies). For every tokenizer folder and input set it times:
onyx encode_batch on 1 and 2 threads, the Rust library's encodeBatch on 1 thread
(TOKENIZERS_PARALLELISM=false, RAYON_NUM_THREADS=1) and on 2 (RAYON_NUM_THREADS=2), and
transformers.js encode per text (1 thread). Truncation and padding off, special tokens added.
Prints a table of tokens/s and the onyx/reference ratios (>1: onyx is faster).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def make_inputs(shared, folder):
    with open(os.path.join(shared, "data", "sst2", "dev.tsv"), encoding="utf-8") as f:
        sst = [line.split("\t")[0] for line in f.read().split("\n")[1:] if line]
    docs = []
    for d in range(24):
        k, parts, size = (d * 37) % len(sst), [], 0
        while size < 9000:
            parts.append(sst[k % len(sst)])
            size += len(parts[-1]) + 1
            k += 1
        docs.append(" ".join(parts))
    paths = {}
    for name, texts in (("sst2", sst), ("long", docs)):
        paths[name] = os.path.join(folder, name + ".json")
        with open(paths[name], "w", encoding="utf-8") as f:
            json.dump(texts, f, ensure_ascii=False)
    return paths


def run_json(cmd, env=None):
    e = dict(os.environ)
    e.update(env or {})
    out = subprocess.run(cmd, capture_output=True, text=True, env=e, cwd=ROOT)
    if out.returncode != 0:
        sys.stderr.write(f"failed: {' '.join(cmd)}\n{out.stderr}\n")
        return None
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--onyx-bin", default=os.path.join(ROOT, "build", "bench", "tokenizers", "onyx_tokenizers_bench"))
    ap.add_argument("--shared", default=os.path.join(ROOT, "..", "shared"))
    ap.add_argument("--min-seconds", default="1.0")
    ap.add_argument("--tokenizers", default="")
    ap.add_argument("--no-tjs", action="store_true")
    a = ap.parse_args()
    tok_root = os.path.join(a.shared, "tokenizers")
    names = a.tokenizers.split(",") if a.tokenizers else sorted(
        d for d in os.listdir(tok_root) if os.path.isdir(os.path.join(tok_root, d)))
    ref = os.path.join(ROOT, "bench", "tokenizers", "reference_bench.js")
    one = {"TOKENIZERS_PARALLELISM": "false", "RAYON_NUM_THREADS": "1"}
    two = {"TOKENIZERS_PARALLELISM": "true", "RAYON_NUM_THREADS": "2"}
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        inputs = make_inputs(a.shared, tmp)
        for name in names:
            d = os.path.join(tok_root, name)
            for corpus, path in inputs.items():
                common = ["--tokenizer", d, "--inputs", path, "--min-seconds", a.min_seconds]
                r = {
                    "onyx1": run_json([a.onyx_bin, "--threads", "1"] + common),
                    "onyx2": run_json([a.onyx_bin, "--threads", "2"] + common),
                    "rust1": run_json(["node", ref, "--impl", "rust"] + common, one),
                    "rust2": run_json(["node", ref, "--impl", "rust"] + common, two),
                    "tjs": None if a.no_tjs else run_json(["node", ref, "--impl", "tjs"] + common),
                }
                rows.append((name, corpus, r))
                print(f"  measured {name} / {corpus}", file=sys.stderr, flush=True)

    def tps(x):
        return x["tokens_per_s"] if x else None

    def fmt(v):
        return f"{v / 1e6:8.2f}M" if v else "      n/a"

    def ratio(p, q):
        return f"{p / q:6.2f}x" if p and q else "    n/a"

    print(f"\ntokens/s (M = 10^6); ratio = onyx / reference; {os.cpu_count()} CPUs; min {a.min_seconds} s per cell")
    head = (f"{'tokenizer':24} {'corpus':6} {'tok/pass':>9} {'onyx 1t':>9} {'rust 1t':>9} {'ratio':>7} "
            f"{'onyx 2t':>9} {'rust 2t':>9} {'ratio':>7} {'tjs 1t':>9} {'onyx/tjs':>8}")
    print(head)
    print("-" * len(head))
    for name, corpus, r in rows:
        toks = r["onyx1"]["tokens"] if r["onyx1"] else 0
        mismatch = r["onyx1"] and r["rust1"] and r["onyx1"]["tokens"] != r["rust1"]["tokens"]
        print(f"{name:24} {corpus:6} {toks:9d} {fmt(tps(r['onyx1']))} {fmt(tps(r['rust1']))} "
              f"{ratio(tps(r['onyx1']), tps(r['rust1']))} {fmt(tps(r['onyx2']))} {fmt(tps(r['rust2']))} "
              f"{ratio(tps(r['onyx2']), tps(r['rust2']))} {fmt(tps(r['tjs']))} {ratio(tps(r['onyx1']), tps(r['tjs'])):>8}"
              + ("  (token counts differ from rust!)" if mismatch else ""))


if __name__ == "__main__":
    main()
