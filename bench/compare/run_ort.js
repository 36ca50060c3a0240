#!/usr/bin/env node
// ONNX Runtime runner of bench/compare: one process = one measurement, printed as the JSON of `onyx bench --json`.
//
//   node bench/compare/run_ort.js --model DIR/model.onnx --threads 2 --warmup 50 --runs 1000 \
//        --input input_ids=ids.npy --input attention_mask=mask.npy
//   node bench/compare/run_ort.js --model DIR/model.onnx --threads 2 --batches sst2_batches.json --warmup 3
//
// ONNX Runtime 1.30 (onnxruntime-node, CPU EP) with graphOptimizationLevel 'all', intraOpNumThreads = --threads,
// interOpNumThreads 1, sequential execution: the settings a user tuning ORT for latency would pick. Each timed
// run is one `await session.run(feeds)` (the binding's small async overhead is included, as users see it).
// With --batches (pre-tokenized batches from tokenize_sst2.js) a timed run is one batch, cycling through them;
// --runs 0 = one pass over the batches. --precision LABEL (default fp32) only labels the report: the model file
// decides the arithmetic (an INT8 model is a quantized .onnx, e.g. from `onyx quantize`).
'use strict';

const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..', '..');
process.env.NODE_PATH = path.join(root, 'tools', 'node', 'node_modules');
require('module').Module._initPaths();

function parseArgs(argv) {
  const o = {model: '', threads: 2, warmup: 50, runs: 1000, inputs: [], batches: '', precision: 'fp32'};
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--model') o.model = next();
    else if (a === '--threads') o.threads = Number(next());
    else if (a === '--warmup') o.warmup = Number(next());
    else if (a === '--runs') o.runs = Number(next());
    else if (a === '--input') o.inputs.push(next());
    else if (a === '--batches') o.batches = next();
    else if (a === '--precision') o.precision = next();
    else throw new Error(`unknown argument ${a} (see the header of bench/compare/run_ort.js)`);
  }
  if (!o.model) throw new Error('--model is required');
  return o;
}

function rssMb() {
  const statm = fs.readFileSync('/proc/self/statm', 'utf8').split(' ');
  return (Number(statm[1]) * 4096) / 2 ** 20;
}

function percentile(v, p) {
  const s = [...v].sort((a, b) => a - b);
  const pos = (p / 100) * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

function latencyJson(ms) {
  const mean = ms.reduce((a, b) => a + b, 0) / ms.length;
  const variance = ms.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, ms.length - 1);
  return {mean, p50: percentile(ms, 50), p90: percentile(ms, 90), p99: percentile(ms, 99), min: Math.min(...ms),
          max: Math.max(...ms), stddev: Math.sqrt(variance)};
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const rssBefore = rssMb();
  const ort = require('onnxruntime-node');
  const {readNpy} = require(path.join(root, 'tests', 'models', 'ort_compare.js'));

  // Each batch: {feeds, rows, real, padded}.
  const batches = [];
  let kind;
  if (o.batches) {
    kind = 'file';
    for (const b of JSON.parse(fs.readFileSync(o.batches, 'utf8')).batches) {
      const rows = b.input_ids.length, width = b.input_ids[0].length;
      const feeds = {};
      let real = 0;
      for (const name of ['input_ids', 'attention_mask']) {
        const data = BigInt64Array.from(b[name].flat().map(BigInt));
        feeds[name] = new ort.Tensor('int64', data, [rows, width]);
      }
      for (const row of b.attention_mask) real += row.reduce((a, x) => a + x, 0);
      batches.push({feeds, rows, real, padded: rows * width});
    }
  } else {
    kind = 'npy';
    const feeds = {};
    let rows = 1, padded = 0;
    for (const spec of o.inputs) {
      const eq = spec.indexOf('=');
      const t = readNpy(spec.slice(eq + 1));
      feeds[spec.slice(0, eq)] = new ort.Tensor(t.dtype, t.data, t.shape);
      if (spec.startsWith('input_ids=')) {
        rows = t.shape[0];
        padded = t.data.length;
      }
    }
    batches.push({feeds, rows, real: padded, padded});
  }
  const runs = o.runs > 0 ? o.runs : batches.length;

  let t0 = process.hrtime.bigint();
  const session = await ort.InferenceSession.create(o.model, {
    graphOptimizationLevel: 'all', intraOpNumThreads: o.threads, interOpNumThreads: 1,
    executionMode: 'sequential', executionProviders: ['cpu']});
  const ms = (t) => Number(process.hrtime.bigint() - t) / 1e6;
  const createMs = ms(t0);

  t0 = process.hrtime.bigint();
  await session.run(batches[0].feeds);
  const firstMs = ms(t0);
  for (let i = 0; i < o.warmup; ++i) await session.run(batches[i % batches.length].feeds);
  const lat = [];
  let sequences = 0, real = 0, padded = 0;
  const tLoop = process.hrtime.bigint();
  for (let i = 0; i < runs; ++i) {
    const b = batches[i % batches.length];
    const t = process.hrtime.bigint();
    await session.run(b.feeds);
    lat.push(ms(t));
    sequences += b.rows;
    real += b.real;
    padded += b.padded;
  }
  const totalS = ms(tLoop) / 1e3;
  const ids = batches[0].feeds.input_ids;
  const out = {
    engine: 'onnxruntime', version: require('onnxruntime-node/package.json').version, model: o.model,
    precision: o.precision, threads: o.threads, batch: ids.dims[0], seq: kind === 'file' ? null : ids.dims[1],
    inputs: kind, tokenization_included: false, batches: batches.length, warmup: o.warmup, runs,
    session_create_ms: createMs, first_run_ms: firstMs, rss_before_load_mb: rssBefore,
    peak_rss_mb: process.resourceUsage().maxRSS / 1024, latency_ms: latencyJson(lat), total_s: totalS,
    throughput: {inferences_per_s: runs / totalS, sequences_per_s: sequences / totalS, tokens_per_s: real / totalS},
    sequences, tokens: {real, padded},
  };
  console.log(JSON.stringify(out, null, 2));
}

main().catch((e) => {
  console.error(`run_ort.js: ${e.message}`);
  process.exit(1);
});
