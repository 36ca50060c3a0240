#!/usr/bin/env node
// Models optimized by `onyx optimize` load and run in ONNX Runtime with onyx's outputs.
//
//   node tests/models/ort_optimized_compare.js --models tests/models/data --onyx build/onyx [--level 2] [--tol 1e-4]
//                                              [--filter REGEX] [--ort-level disabled|all] [--keep-temp]
//
// For every <models>/<model>/model.onnx: `onyx optimize MODEL -O<level> -o TMP/model.onnx --json` (prints what was
// fused), then for every case_<name>/ beside the model (input_*.npy, output_*.npy from PyTorch):
//   ort-opt-vs-onyx-opt    ONNX Runtime running the optimized file vs `onyx run` on the same file
//   ort-opt-vs-torch       ONNX Runtime running the optimized file vs the PyTorch reference outputs
// ONNX Runtime runs the file with its own graph optimizations disabled by default (--ort-level disabled), so it
// executes our com.microsoft ops exactly as saved. One line per (model, case, check); last line "N passed, M failed";
// exit code 1 if anything failed, a model failed to load, or no check ran.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const {spawnSync} = require('child_process');
const {maxAbsDiff, loadOrt, runOrt, runOnyx, readPrefixed, fmt} = require('./ort_compare.js');

function parseArgs(argv) {
  const o = {models: null, onyx: null, level: 2, tol: 1e-4, filter: null, ortLevel: 'disabled', keepTemp: false};
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--models') o.models = value();
    else if (a === '--onyx') o.onyx = value();
    else if (a === '--level') o.level = Number(value());
    else if (a === '--tol') o.tol = Number(value());
    else if (a === '--filter') o.filter = new RegExp(value());
    else if (a === '--ort-level') o.ortLevel = value();
    else if (a === '--keep-temp') o.keepTemp = true;
    else if (a === '-h' || a === '--help') o.help = true;
    else throw new Error(`unknown argument '${a}' (see --help)`);
  }
  if (o.help) return o;
  if (!o.models || !o.onyx) throw new Error('--models DIR and --onyx PATH are required');
  if (![1, 2, 3, 4].includes(o.level)) throw new Error('--level must be 1..4');
  return o;
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (o.help) {
    console.log(fs.readFileSync(__filename, 'utf8').split('\n').slice(1, 14).join('\n'));
    return 0;
  }
  const ort = loadOrt();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'onyx-ort-opt-'));
  let passed = 0, failed = 0;
  const report = (model, kase, check, ok, detail) => {
    console.log(`${ok ? 'PASS' : 'FAIL'} ${model} ${kase} ${check} ${detail}`);
    ok ? ++passed : ++failed;
  };
  for (const name of fs.readdirSync(o.models).sort()) {
    const dir = path.join(o.models, name);
    const modelPath = path.join(dir, 'model.onnx');
    if (!fs.existsSync(modelPath) || (o.filter && !o.filter.test(name))) continue;
    const optPath = path.join(tmp, name, 'model.onnx');
    const res = spawnSync(o.onyx, ['optimize', modelPath, `-O${o.level}`, '-o', optPath, '--json'],
                          {encoding: 'utf8', maxBuffer: 64 << 20});
    if (res.status !== 0) {
      report(name, '-', 'optimize', false, (res.stderr || '').trim().split('\n').slice(-2).join(' | '));
      continue;
    }
    const stats = JSON.parse(res.stdout);
    console.log(`${name}: ${stats.nodes_before} -> ${stats.nodes_after} nodes, fused ${JSON.stringify(stats.fused)}`);
    let session;
    try {
      session = await ort.InferenceSession.create(optPath, {graphOptimizationLevel: o.ortLevel, intraOpNumThreads: 1});
    } catch (e) {
      report(name, '-', 'ort-load', false, e.message.split('\n')[0]);
      continue;
    }
    for (const kase of fs.readdirSync(dir).sort()) {
      if (!kase.startsWith('case_')) continue;
      const caseDir = path.join(dir, kase);
      const inputs = readPrefixed(caseDir, 'input_');
      const torch = readPrefixed(caseDir, 'output_');
      try {
        const ortOut = await runOrt(ort, session, inputs);
        const onyxOut = runOnyx(o.onyx, optPath, inputs, path.join(tmp, name, kase), session.outputNames);
        let dOnyx = 0, dTorch = 0;
        for (const out of session.outputNames) {
          dOnyx = Math.max(dOnyx, maxAbsDiff(ortOut[out], onyxOut[out]).diff);
          if (torch[out]) dTorch = Math.max(dTorch, maxAbsDiff(ortOut[out], torch[out]).diff);
        }
        report(name, kase, 'ort-opt-vs-onyx-opt', dOnyx <= o.tol, `max abs diff ${fmt(dOnyx)}`);
        report(name, kase, 'ort-opt-vs-torch', dTorch <= o.tol, `max abs diff ${fmt(dTorch)}`);
      } catch (e) {
        report(name, kase, 'run', false, e.message.split('\n')[0]);
      }
    }
  }
  if (!o.keepTemp) fs.rmSync(tmp, {recursive: true, force: true});
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 && passed > 0 ? 0 : 1;
}

main().then((rc) => process.exit(rc), (e) => {
  console.error(`error: ${e.message}`);
  process.exit(1);
});
