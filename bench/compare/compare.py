#!/usr/bin/python3
"""Side-by-side CPU benchmark of issues #6 and #7: PyTorch eager, ONNX Runtime fp32 and INT8, onyx fp32, bf16 and
int8 in ONE run.

    /usr/bin/python3 bench/compare/compare.py --onyx build/onyx --peak build/onyx_peak [--threads 2] [--rounds 3]
                                              [--warmup 50] [--runs 1000] [--quick] [--out bench/results]
(bench/compare/run.sh builds onyx and calls this.)

Protocol (docs/benchmarks.md):
  * model: bench/compare/models/distilbert-base-random (make_model.py: DistilBERT-base shape, random weights)
  * INT8 (issue #7): ONNX Runtime's Python quantization tool is not installed here, so the INT8 model is the fp32
    model quantized by `onyx quantize --mode dynamic --format qoperator` (int8 weights per output channel, uint8
    activations per tensor at run time): the operators ORT's own quantize_dynamic emits (DynamicQuantizeMatMul,
    DynamicQuantizeLinear + QAttention), written to <model-dir>-int8 (remade every run). "ONNX Runtime INT8" runs
    that file (optimization level all); "onyx int8" runs the SAME file; "onyx int8 (session)" runs the fp32 model
    with `--precision int8` (the same numbers, quantized at session creation)
  * latency: batch 1 at 35 and 128 tokens, the same inputs for every engine (input_ids uniform in [1000, 2000),
    seeded, attention_mask ones, written once as .npy); per measurement a fresh process: session creation,
    first run, --warmup runs, --runs timed runs; latency = p50 of the timed runs
  * throughput: all 872 SST-2 dev sentences, batches of 32 in file order, each padded to its longest row,
    tokenized before timing (reference tokenizer for PyTorch/ORT via tokenize_sst2.js; onyx tokenizes itself
    and its token counts are checked against the reference); one timed pass after 3 warm-up batches
  * rounds: every round measures every (config, engine) pair once; the engine order rotates from round to
    round so that slow drifts of the machine hit every engine alike; results are medians across rounds, and
    ratios compare medians of the same run
  * peak: onyx_peak's register-only fp32 FMA ceiling on --threads threads, measured once in full (bf16, int8,
    GEMMs) and again (fp32 alone) at the start of every round, since a shared machine's speed drifts; "% of peak" =
    model FLOPs (from its shapes) / p50 latency / the ceiling of the same round, median across rounds
Outputs: <out>/compare.md (table), compare.json (everything, per round), compare.png (latency bar chart).
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

from png_chart import write_bar_chart  # noqa: E402

ENGINES = {
    "pytorch": "PyTorch 1.13 eager",
    "onnxruntime": "ONNX Runtime 1.30",
    "onnxruntime-int8": "ONNX Runtime INT8",
    "onyx-fp32": "onyx fp32",
    "onyx-bf16": "onyx bf16",
    "onyx-int8": "onyx int8",
    "onyx-int8-session": "onyx int8 (session)",
}
INT8_ENGINES = ("onnxruntime-int8", "onyx-int8", "onyx-int8-session")
INT8_MODEL_ENGINES = ("onnxruntime-int8", "onyx-int8")  # the engines that run the quantized file
DIM, LAYERS, FFN, LABELS = 768, 6, 3072, 2


def model_flops(seq, batch=1):
    """Multiply-adds x 2 of the DistilBERT-base classifier at `seq` tokens: per layer the Q, K, V and output
    projections (4 d^2 per token), the FFN (2 d ffn per token) and attention (QK^T and PV: 2 seq d per token);
    plus the head (pre_classifier d^2 and classifier d x labels, [CLS] row only). Embeddings, norms, softmax and
    GELU are not counted (they are not FLOPs a GEMM ceiling measures)."""
    per_layer = 2 * seq * (4 * DIM * DIM + 2 * DIM * FFN) + 2 * 2 * seq * seq * DIM
    head = 2 * (DIM * DIM + DIM * LABELS)
    return batch * (LAYERS * per_layer + head)


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def run_json(cmd, label):
    t0 = time.time()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    if p.returncode != 0:
        raise SystemExit(f"compare.py: {label} failed (exit {p.returncode}):\n  {' '.join(cmd)}\n{p.stderr[-3000:]}")
    try:
        out = json.loads(p.stdout)
    except json.JSONDecodeError:
        raise SystemExit(f"compare.py: {label} printed no JSON:\n{p.stdout[-2000:]}\n{p.stderr[-2000:]}")
    out["wall_s"] = time.time() - t0
    return out


def quantize_model(a, model_dir, out_dir):
    """The INT8 model of the INT8 rows: `onyx quantize` dynamic, QOperator, per-channel (what ORT's quantize_dynamic
    emits), into the folder `out_dir` next to the fp32 one, with its config and tokenizer files."""
    shutil.rmtree(out_dir, ignore_errors=True)
    cmd = [a.onyx, "quantize", model_dir, "-o", out_dir, "--mode", "dynamic", "--format", "qoperator",
           "--per-channel"]
    log(f"compare: {' '.join(cmd)}")
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    if p.returncode != 0:
        raise SystemExit(f"compare.py: onyx quantize failed (exit {p.returncode}):\n{p.stdout[-2000:]}{p.stderr[-3000:]}")
    model = os.path.join(out_dir, "model.onnx")
    if not os.path.isfile(model):
        raise SystemExit(f"compare.py: onyx quantize wrote no {model}:\n{p.stdout[-2000:]}{p.stderr[-2000:]}")
    for name in os.listdir(model_dir):  # config and tokenizer files, when `onyx quantize` did not copy them
        src, dst = os.path.join(model_dir, name), os.path.join(out_dir, name)
        if name.endswith((".json", ".txt")) and os.path.isfile(src) and not os.path.exists(dst):
            shutil.copyfile(src, dst)
    log(f"compare: INT8 model {model}: {os.path.getsize(model) / 2**20:.1f} MiB")
    return model


def engine_cmd(engine, cfg, a, paths):
    """The command measuring `engine` on config `cfg` ("seq35", "seq128" or "sst2")."""
    model_dir = paths["int8_dir"] if engine in INT8_MODEL_ENGINES else paths["model_dir"]
    sst2 = cfg == "sst2"
    if engine == "pytorch":
        cmd = ["/usr/bin/python3", os.path.join(HERE, "run_torch.py"), "--model-dir", model_dir]
    elif engine.startswith("onnxruntime"):
        cmd = ["node", os.path.join(HERE, "run_ort.js"), "--model", os.path.join(model_dir, "model.onnx"),
               "--precision", "int8" if engine in INT8_ENGINES else "fp32"]
    else:
        # onyx-int8 runs the quantized file as it is (fp32 session options); onyx-int8-session quantizes the fp32
        # model at session creation (--precision int8).
        precision = {"onyx-int8": "fp32", "onyx-int8-session": "int8"}.get(engine, engine.split("-")[-1])
        cmd = [a.onyx, "bench", model_dir, "--json", "--precision", precision]
    cmd += ["--threads", str(a.threads), "--warmup", str(a.sst2_warmup if sst2 else a.warmup)]
    if not sst2:
        seq = int(cfg[3:])
        return cmd + ["--runs", str(a.runs), "--input", f"input_ids={paths['inputs'][seq]['input_ids']}",
                      "--input", f"attention_mask={paths['inputs'][seq]['attention_mask']}"]
    # SST-2: one timed pass over the batches (or only the first --sst2-batches of them).
    if engine.startswith("onyx"):
        cmd += ["--file", paths["sst2_tsv"], "--batch", str(a.sst2_batch)]
        return cmd + (["--runs", str(a.sst2_batches)] if a.sst2_batches else [])
    return cmd + ["--batches", paths["sst2_batches"], "--runs", str(a.sst2_batches)]


def issue6_targets(summary, seqs, engines, ref_cfg):
    """Markdown lines: each acceptance target of issue #6, the value from this run and whether it is met."""
    out = ["Issue #6 targets (this run):", ""]

    def line(what, value, ok):
        out.append(f"- {what}: {value} -> {'met' if ok else 'NOT met'}")

    ort = "onnxruntime"
    for e, limit in (("onyx-fp32", 0.95), ("onyx-bf16", 0.6)):
        if e not in engines or ort not in engines:
            continue
        for s in seqs:
            r = summary[f"seq{s}"][e]["ratio_to_ort"]
            if r is not None:
                line(f"{ENGINES[e]} latency at {s} tokens <= {limit} x ORT fp32", f"{r:.2f} x", r <= limit)
    if "onyx-fp32" in engines and 128 in seqs:
        pct = summary["seq128"]["onyx-fp32"].get("pct_of_fp32_peak")
        if pct is not None:
            line("onyx fp32 at 128 tokens >= 85% of the fp32 ceiling", f"{pct:.0f}%", pct >= 85)
    if "sst2" in summary and ort in engines:
        for e in ("onyx-fp32", "onyx-bf16"):
            r = summary["sst2"].get(e, {}).get("ratio_to_ort")
            if r is not None:
                line(f"{ENGINES[e]} SST-2 throughput >= 2 x ORT", f"{r:.2f} x", r >= 2)
    if ort in engines:
        base = summary[ref_cfg][ort]
        for e in ("onyx-fp32", "onyx-bf16"):
            if e not in engines:
                continue
            x = summary[ref_cfg][e]
            line(f"{ENGINES[e]} peak RSS <= ORT", f"{x['peak_rss_mb']:.0f} vs {base['peak_rss_mb']:.0f} MiB",
                 x["peak_rss_mb"] <= base["peak_rss_mb"])
            line(f"{ENGINES[e]} session creation + first run <= ORT",
                 f"{x['create_plus_first_ms']:.0f} vs {base['create_plus_first_ms']:.0f} ms",
                 x["create_plus_first_ms"] <= base["create_plus_first_ms"])
    return out


def issue7_targets(summary, seqs, engines):
    """Markdown lines: the speed targets of issue #7 (onyx INT8 vs ONNX Runtime INT8 and vs onyx fp32)."""
    out = ["Issue #7 targets (this run):", ""]
    for e in ("onyx-int8", "onyx-int8-session"):
        if e not in engines:
            continue
        for s in seqs:
            x = summary[f"seq{s}"][e]
            for ref, limit in (("onnxruntime-int8", 0.85), ("onyx-fp32", 0.5)):
                r = x.get(f"ratio_to_{ref}")
                if ref in engines and r is not None:
                    out.append(f"- {ENGINES[e]} latency at {s} tokens <= {limit} x {ENGINES[ref]}: {r:.2f} x -> "
                               f"{'met' if r <= limit else 'NOT met'}")
    return out if len(out) > 2 else []


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def spread(xs):
    """(max - min) / median of the per-round values: the run-to-run noise of this measurement."""
    xs = [x for x in xs if x is not None]
    return (max(xs) - min(xs)) / statistics.median(xs) if len(xs) > 1 and statistics.median(xs) else None


def fmt(v, digits=1, suffix=""):
    return "n/a" if v is None else f"{v:.{digits}f}{suffix}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--onyx", default=os.path.join(ROOT, "build", "onyx"))
    ap.add_argument("--peak", default=os.path.join(ROOT, "build", "onyx_peak"))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=50)
    ap.add_argument("--runs", type=int, default=1000)
    ap.add_argument("--seqs", default="35,128")
    ap.add_argument("--sst2-batch", type=int, default=32)
    ap.add_argument("--sst2-warmup", type=int, default=3)
    ap.add_argument("--sst2-batches", type=int, default=0, help="time only the first N batches (0 = all 28)")
    ap.add_argument("--engines", default=",".join(ENGINES))
    ap.add_argument("--no-sst2", action="store_true")
    ap.add_argument("--quick", action="store_true",
                    help="develop the harness: --warmup 3 --runs 10, SST-2 limited to 4 batches")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results"))
    ap.add_argument("--model-dir", default=os.path.join(HERE, "models", "distilbert-base-random"))
    ap.add_argument("--sst2", default=os.path.join(ROOT, "..", "shared", "data", "sst2", "dev.tsv"))
    a = ap.parse_args()
    if a.quick:
        a.warmup, a.runs, a.sst2_batches = 3, 10, a.sst2_batches or 4
    engines = [e for e in a.engines.split(",") if e]
    for e in engines:
        if e not in ENGINES:
            raise SystemExit(f"compare.py: unknown engine {e} (known: {', '.join(ENGINES)})")
    seqs = [int(s) for s in a.seqs.split(",") if s]
    tmp = os.path.join(a.out, "tmp")
    os.makedirs(tmp, exist_ok=True)

    # 1. The model (regenerated when missing), its INT8 version and the shared inputs.
    subprocess.run(["/usr/bin/python3", os.path.join(HERE, "make_model.py"), "--out", a.model_dir], check=True)
    int8_dir = os.path.normpath(a.model_dir) + "-int8"
    if any(e in INT8_MODEL_ENGINES for e in engines):
        quantize_model(a, a.model_dir, int8_dir)
    import numpy as np
    rng = np.random.default_rng(6)
    paths = {"model_dir": a.model_dir, "int8_dir": int8_dir, "inputs": {}, "sst2_tsv": a.sst2,
             "sst2_batches": os.path.join(tmp, "sst2_batches.json")}
    for seq in seqs:
        ids = rng.integers(1000, 2000, size=(1, seq), dtype=np.int64)
        p = {"input_ids": os.path.join(tmp, f"input_ids_{seq}.npy"),
             "attention_mask": os.path.join(tmp, f"attention_mask_{seq}.npy")}
        np.save(p["input_ids"], ids)
        np.save(p["attention_mask"], np.ones_like(ids))
        paths["inputs"][seq] = p
    configs = [f"seq{s}" for s in seqs]
    sst2_ref = None
    if not a.no_sst2:
        subprocess.run(["node", os.path.join(HERE, "tokenize_sst2.js"), "--data", a.sst2, "--tokenizer",
                        os.path.join(a.model_dir, "tokenizer.json"), "--batch", str(a.sst2_batch), "--out",
                        paths["sst2_batches"]], check=True, cwd=ROOT)
        with open(paths["sst2_batches"]) as f:
            sst2_ref = json.load(f)
        timed = sst2_ref.pop("batches")[:a.sst2_batches or None]  # the batches one timed pass covers
        sst2_ref["timed_real_tokens"] = sum(sum(map(sum, b["attention_mask"])) for b in timed)
        sst2_ref["timed_padded_tokens"] = sum(len(b["input_ids"]) * len(b["input_ids"][0]) for b in timed)
        configs.append("sst2")

    # 2. The machine's ceilings.
    peak = None
    if os.path.exists(a.peak):
        log(f"compare: measuring the CPU's ceilings ({a.peak})")
        peak = run_json([a.peak, "--json", "--threads", str(a.threads)], "onyx_peak")
    else:
        log(f"compare: {a.peak} not found: no % of peak (build onyx_peak with -DONYX_BUILD_BENCH=ON)")

    # 3. Rounds: every (config, engine) once per round, engine order rotated per round.
    results = []
    round_ceilings = []  # fp32 FMA ceiling (GFLOP/s, --threads threads) measured at the start of each round
    for r in range(a.rounds):
        order = engines[r % len(engines):] + engines[:r % len(engines)]
        if peak and peak.get("fp32_fma"):
            rp = run_json([a.peak, "--json", "--fp32-only", "--threads", str(a.threads)], f"onyx_peak round {r + 1}")
            round_ceilings.append(rp["fp32_fma"]["all_threads"])
            log(f"round {r + 1}/{a.rounds} fp32 ceiling {round_ceilings[-1]:.0f} GFLOP/s")
        for cfg in configs:
            for e in order:
                cmd = engine_cmd(e, cfg, a, paths)
                res = run_json(cmd, f"{e} {cfg} round {r + 1}")
                results.append({"round": r + 1, "engine": e, "config": cfg, "result": res})
                lat = res["latency_ms"]
                log(f"round {r + 1}/{a.rounds} {cfg:>6} {e:<12} p50 {lat['p50']:8.2f} ms  mean {lat['mean']:8.2f}  "
                    f"{res['throughput']['sequences_per_s']:8.1f} seq/s  create {res['session_create_ms']:7.0f} ms  "
                    f"first {res['first_run_ms']:7.1f} ms  rss {res['peak_rss_mb']:6.0f} MiB")

    # 4. Medians across rounds, ratios to ONNX Runtime from this run.
    summary = {}
    for cfg in configs:
        for e in engines:
            rs = [x["result"] for x in results if x["engine"] == e and x["config"] == cfg]
            summary.setdefault(cfg, {})[e] = {
                "p50_ms": median([x["latency_ms"]["p50"] for x in rs]),
                "mean_ms": median([x["latency_ms"]["mean"] for x in rs]),
                "p90_ms": median([x["latency_ms"]["p90"] for x in rs]),
                "p99_ms": median([x["latency_ms"]["p99"] for x in rs]),
                "p50_spread": spread([x["latency_ms"]["p50"] for x in rs]),
                "sequences_per_s": median([x["throughput"]["sequences_per_s"] for x in rs]),
                "sequences_per_s_spread": spread([x["throughput"]["sequences_per_s"] for x in rs]),
                "session_create_ms": median([x["session_create_ms"] for x in rs]),
                "first_run_ms": median([x["first_run_ms"] for x in rs]),
                "create_plus_first_ms": median([x["session_create_ms"] + x["first_run_ms"] for x in rs]),
                "peak_rss_mb": median([x["peak_rss_mb"] for x in rs]),
                "tokens": rs[0].get("tokens") if rs else None,
            }
    ort = "onnxruntime"
    for cfg, per in summary.items():
        for e, s in per.items():
            lat_key = "sequences_per_s" if cfg == "sst2" else "p50_ms"
            # ratio_to_ort: to ORT fp32 (the table's "x ORT"); the INT8 rows also to ORT INT8 and onyx fp32.
            refs = [ort] + (["onnxruntime-int8", "onyx-fp32"] if e in INT8_ENGINES else [])
            for ref in refs:
                base = per.get(ref)
                key = "ratio_to_ort" if ref == ort else f"ratio_to_{ref}"
                s[key] = (s[lat_key] / base[lat_key]) if base and base[lat_key] and s[lat_key] else None
            if cfg != "sst2" and round_ceilings:
                flops = model_flops(int(cfg[3:]))
                s["gflops"] = flops / (s["p50_ms"] / 1e3) / 1e9
                # Each round's p50 over that round's ceiling; the median of those.
                pcts = [100 * flops / (x["result"]["latency_ms"]["p50"] / 1e3) / 1e9 / round_ceilings[x["round"] - 1]
                        for x in results if x["engine"] == e and x["config"] == cfg]
                s["pct_of_fp32_peak_rounds"] = pcts
                s["pct_of_fp32_peak"] = median(pcts)
    checks = []
    if sst2_ref and "sst2" in summary:
        for e in engines:
            if not e.startswith("onyx"):
                continue
            # onyx tokenizes the file itself: its real and padded token counts over the timed pass must equal the
            # reference tokenizer's, or the engines did not run the same inputs.
            tok = summary["sst2"][e]["tokens"]
            ref = {"real": sst2_ref["timed_real_tokens"], "padded": sst2_ref["timed_padded_tokens"]}
            checks.append({"check": f"{e} SST-2 tokens == reference tokenizer", "ok": tok == ref, "onyx": tok,
                           "reference": ref})

    # 5. Outputs.
    stamp = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    settings = {"threads": a.threads, "rounds": a.rounds, "warmup": a.warmup, "runs": a.runs,
                "sst2_batch": a.sst2_batch, "sst2_warmup": a.sst2_warmup, "sst2_batches": a.sst2_batches or "all",
                "quick": a.quick}
    cpu = cpu_model()
    doc = {"generator": "bench/compare/run.sh", "date": stamp, "host": platform.node(), "cpu_model": cpu,
           "cpu": peak.get("cpu_features") if peak else None, "settings": settings, "model": a.model_dir,
           "int8_model": int8_dir if any(e in INT8_MODEL_ENGINES for e in engines) else None,
           "model_gflop": {str(s): model_flops(s) / 1e9 for s in seqs}, "peak": peak,
           "fp32_ceiling_per_round": round_ceilings, "summary": summary,
           "sst2_reference_tokens": sst2_ref, "checks": checks, "rounds": results}
    with open(os.path.join(a.out, "compare.json"), "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")

    lines = [f"## bench/compare: DistilBERT-base shape, {a.threads} threads ({stamp})", "",
             f"CPU: {cpu or 'unknown'} ({os.cpu_count()} logical CPUs; features: "
             f"{peak.get('cpu_features') if peak else 'n/a'}).", "",
             f"{a.rounds} rounds, engine order rotated per round; medians across rounds. Latency: batch 1, "
             f"p50 of {a.runs} timed runs after {a.warmup} warm-up runs. SST-2: "
             + (f"the first {a.sst2_batches} batches of " if a.sst2_batches else "")
             + f"{sst2_ref['sentences'] if sst2_ref else 0} dev sentences, batches of {a.sst2_batch} padded to the "
             "longest, tokenization excluded; onyx computes the padded batches without the padding (`onyx bench "
             "--file`: remove_padding on), the anchors compute the padding. onyx bf16 = `--precision bf16` (bf16 "
             "weights and GEMM inputs, fp32 accumulation). "
             "Ratio = engine / ONNX Runtime from this run (latency: lower is better; throughput: higher is better)."
             + (" **--quick run: not a measurement.**" if a.quick else ""), ""]
    head = ["engine"]
    for s in seqs:
        head += [f"{s} tok p50 ms", "x ORT"]
    if 128 in seqs and peak:
        head += ["% fp32 peak @128"]
    if sst2_ref:
        head += ["SST-2 sent/s", "x ORT"]
    head += ["create + 1st run ms", "peak RSS MiB"]
    lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    ref_cfg = "seq128" if 128 in seqs else configs[0]
    for e in engines:
        row = [ENGINES[e]]
        for s in seqs:
            x = summary[f"seq{s}"][e]
            row += [fmt(x["p50_ms"], 2), fmt(x["ratio_to_ort"], 2)]
        if 128 in seqs and peak:
            row += [fmt(summary["seq128"][e].get("pct_of_fp32_peak"), 0, "%")]
        if sst2_ref:
            x = summary["sst2"][e]
            row += [fmt(x["sequences_per_s"], 1), fmt(x["ratio_to_ort"], 2)]
        x = summary[ref_cfg][e]
        row += [fmt(x["create_plus_first_ms"], 0), fmt(x["peak_rss_mb"], 0)]
        lines.append("| " + " | ".join(row) + " |")
    lines.append("")
    noise = [x["p50_spread"] for per in summary.values() for x in per.values() if x.get("p50_spread") is not None]
    if noise:
        lines.append(f"Noise: the per-round p50 values of one engine and config differ by up to "
                     f"{100 * max(noise):.0f}% (median {100 * statistics.median(noise):.0f}%) of their median.")
    if peak and peak.get("fp32_fma"):
        pk = peak["fp32_fma"]
        packed = peak.get("packed_gemm_f32") or {}
        lines.append(f"Peak (onyx_peak): fp32 FMA {pk['per_core']:.0f} GFLOP/s per core, {pk['all_threads']:.0f} on "
                     f"{a.threads} threads; " +
                     (f"bf16 {peak['bf16_dot']['all_threads']:.0f} GFLOP/s, " if peak.get("bf16_dot") else "") +
                     (f"int8 {peak['int8_dot']['all_threads']:.0f} GOPS, " if peak.get("int8_dot") else "") +
                     f"best sgemm {peak['gemm_f32']['best_all_threads']:.0f} GFLOP/s" +
                     (f", best onyx PackedGemm {packed['best_all_threads']:.0f} GFLOP/s (weights hot in cache)"
                      if packed.get("best_all_threads") else "") +
                     f" ({a.threads} threads). Model: {model_flops(128) / 1e9:.2f} GFLOP at 128 tokens.")
        if round_ceilings:
            lines.append("fp32 ceiling at the start of each round (the % of peak column divides each round's p50 by "
                         "its own round's ceiling, then takes the median): "
                         + ", ".join(f"{c:.0f}" for c in round_ceilings) + " GFLOP/s.")
    for c in checks:
        lines.append(f"Check: {c['check']}: {'ok' if c['ok'] else 'FAILED'} ({c['onyx']} vs {c['reference']})")
    if any(e in INT8_ENGINES for e in engines):
        lines.append(
            "INT8: ONNX Runtime's Python quantization tool is not installed here, so the INT8 model is this fp32 "
            "model quantized by `onyx quantize --mode dynamic --format qoperator --per-channel` (int8 weights per "
            "output channel, uint8 activations quantized per run): the operators ORT's own quantize_dynamic emits "
            "(DynamicQuantizeMatMul, DynamicQuantizeLinear + QAttention), not a file made by ORT's tool. ONNX Runtime "
            "INT8 and onyx int8 run that same file (ORT with graph optimization level all); onyx int8 (session) runs "
            "the fp32 model with `--precision int8`. "
            + ("% fp32 peak of the INT8 rows: the model's FLOPs over the fp32 ceiling, for comparison only. "
               if 128 in seqs and peak else "")
            + "INT8 ratios to ORT INT8 and onyx fp32 are in the targets below and in compare.json "
            "(ratio_to_onnxruntime-int8, ratio_to_onyx-fp32).")
    lines += [""] + issue6_targets(summary, seqs, engines, ref_cfg)
    t7 = issue7_targets(summary, seqs, engines)
    if t7:
        lines += [""] + t7
    lines.append("")
    md = "\n".join(lines)
    with open(os.path.join(a.out, "compare.md"), "w") as f:
        f.write(md)
    groups = [f"{s} tokens" for s in seqs]
    series = [(ENGINES[e], [summary[f"seq{s}"][e]["p50_ms"] for s in seqs]) for e in engines]
    write_bar_chart(os.path.join(a.out, "compare.png"),
                    f"DistilBERT-base latency, batch 1, {a.threads} threads (p50)", groups, series, "ms")
    print(md)
    log(f"compare: wrote {a.out}/compare.md, compare.json, compare.png")
    return 0 if all(c["ok"] for c in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
