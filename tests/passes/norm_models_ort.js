#!/usr/bin/env node
// ONNX Runtime runs the normalization-fused test models (saved by pass_norm_models_test with ONYX_NORM_SAVE_DIR)
// against the original models on every case_*/ input set; both with ORT's own graph optimizations disabled, so the
// fused file runs our com.microsoft / LayerNormalization nodes exactly as saved.
//
//   ONYX_NORM_SAVE_DIR=/tmp/norm ./build/tests/passes/pass_norm_models_test
//   node tests/passes/norm_models_ort.js --fused /tmp/norm --models tests/models/data [--tol 1e-5]
//
// One line per (model, case): max |fused - original| over all outputs; last line "N passed, M failed"; exit 1 on
// any failure.
'use strict';

const fs = require('fs');
const path = require('path');
const {maxAbsDiff, loadOrt, runOrt, readPrefixed, fmt} = require('../models/ort_compare.js');

async function main() {
  const args = process.argv.slice(2);
  const get = (flag, def) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : def);
  const fusedDir = get('--fused', null);
  const modelsDir = get('--models', 'tests/models/data');
  const tol = Number(get('--tol', '1e-5'));
  if (!fusedDir) throw new Error('--fused DIR is required');
  const ort = loadOrt();
  const options = {graphOptimizationLevel: 'disabled', logSeverityLevel: 3};
  let passed = 0, failed = 0;
  for (const file of fs.readdirSync(fusedDir).filter((f) => f.endsWith('.onnx')).sort()) {
    const name = file.slice(0, -5);
    const dir = path.join(modelsDir, name);
    let original, fused;
    try {
      original = await ort.InferenceSession.create(path.join(dir, 'model.onnx'), options);
      fused = await ort.InferenceSession.create(path.join(fusedDir, file), options);
    } catch (e) {
      console.log(`${name}: FAIL loading: ${e.message}`);
      ++failed;
      continue;
    }
    for (const c of fs.readdirSync(dir).filter((d) => d.startsWith('case_')).sort()) {
      const inputs = readPrefixed(path.join(dir, c), 'input_');
      try {
        const a = await runOrt(ort, original, inputs);
        const b = await runOrt(ort, fused, inputs);
        let worst = 0, why = '';
        for (const k of Object.keys(a)) {
          const d = maxAbsDiff(a[k], b[k]);
          if (d.diff > worst) worst = d.diff, why = d.why;
        }
        const ok = worst <= tol;
        console.log(`${name} ${c}: ${ok ? 'ok' : 'FAIL'} max diff ${fmt(worst)}${why ? ' (' + why + ')' : ''}`);
        ok ? ++passed : ++failed;
      } catch (e) {
        console.log(`${name} ${c}: FAIL ${e.message}`);
        ++failed;
      }
    }
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed > 0 || passed === 0 ? 1 : 0);
}

main().catch((e) => {
  console.error(e.message);
  process.exit(1);
});
