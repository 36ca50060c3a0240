#!/usr/bin/env node
// Runs a model optimized by FuseCausalAttention in ONNX Runtime (onnxruntime-node, graph optimizations disabled so it
// executes our com.microsoft ops as saved) on every case_* folder of the original model and compares with the PyTorch
// reference outputs stored there.
//
//   node tests/passes/causal_attention_ort.js OPTIMIZED.onnx tests/models/data/gpt2_past_opset14 [--tol 1e-4]
//
// or runs an unoptimized and a fused model in ONNX Runtime on the same generated inputs and compares all outputs:
//
//   node tests/passes/causal_attention_ort.js --pair ORIGINAL.onnx FUSED.onnx [--tol 1e-5] name:dtype:d0,d1,... ...
//
// (float32 inputs get sin(1.7 i); int64 inputs are an attention mask of ones with element [1, 0] = 0: row 1 left
// padded by one position.)
//
// Prints one line per (case, output) and "max_abs_diff X"; exit code 0 when every output is within tol, 1 otherwise,
// 2 when ONNX Runtime cannot be loaded (the caller skips).
'use strict';

const fs = require('fs');
const path = require('path');
const {maxAbsDiff, runOrt, readPrefixed} = require('../models/ort_compare.js');

function generated(spec) {
  const [name, dtype, dimsText] = spec.split(':');
  const dims = dimsText.split(',').map(Number);
  const n = dims.reduce((a, b) => a * b, 1);
  if (dtype === 'float32') return [name, {dtype, shape: dims, data: new Float32Array(n).map((_, i) => Math.sin(i * 1.7))}];
  if (dtype !== 'int64' || dims.length !== 2) throw new Error(`cannot generate ${spec}`);
  const data = new BigInt64Array(n).fill(1n);
  if (dims[0] > 1) data[dims[1]] = 0n;
  return [name, {dtype, shape: dims, data}];
}

async function comparePair(ort, args, tol) {
  const [original, fused, ...specs] = args;
  const inputs = Object.fromEntries(specs.filter((s) => s.includes(':')).map(generated));
  const options = {graphOptimizationLevel: 'disabled'};
  const expected = await runOrt(ort, await ort.InferenceSession.create(original, options), inputs);
  const got = await runOrt(ort, await ort.InferenceSession.create(fused, options), inputs);
  let worst = 0;
  for (const name of Object.keys(expected)) {
    const {diff, why} = got[name] ? maxAbsDiff(got[name], expected[name]) : {diff: Infinity, why: 'missing'};
    console.log(`${name} ${diff} ${why}`);
    worst = Math.max(worst, diff);
  }
  console.log(`max_abs_diff ${worst}`);
  process.exit(worst <= tol ? 0 : 1);
}

async function main() {
  const args = process.argv.slice(2);
  const tolAt = args.indexOf('--tol');
  const tol = tolAt >= 0 ? Number(args[tolAt + 1]) : 1e-4;
  const [modelPath, dataDir] = args;
  let ort;
  try {
    ort = require(path.join(__dirname, '../../tools/node/node_modules/onnxruntime-node'));
  } catch (e) {
    console.log(`cannot load onnxruntime-node: ${e.message}`);
    process.exit(2);
  }
  if (args[0] === '--pair') return comparePair(ort, args.slice(1).filter((a, i, all) => a !== '--tol' && all[i - 1] !== '--tol'), tol);
  const session = await ort.InferenceSession.create(modelPath, {graphOptimizationLevel: 'disabled'});
  let worst = 0;
  let checks = 0;
  for (const c of fs.readdirSync(dataDir).filter((d) => d.startsWith('case_')).sort()) {
    const dir = path.join(dataDir, c);
    const inputs = readPrefixed(dir, 'input_');
    const expected = readPrefixed(dir, 'output_');
    const got = await runOrt(ort, session, inputs);
    for (const name of Object.keys(expected)) {
      if (!got[name]) throw new Error(`${c}: the optimized model has no output '${name}'`);
      const {diff, why} = maxAbsDiff(got[name], expected[name]);
      console.log(`${c} ${name} ${diff} ${why}`);
      worst = Math.max(worst, diff);
      ++checks;
    }
  }
  console.log(`max_abs_diff ${worst} over ${checks} outputs`);
  process.exit(checks > 0 && worst <= tol ? 0 : 1);
}

main().catch((e) => {
  console.log(`error: ${e.message}`);
  process.exit(1);
});
