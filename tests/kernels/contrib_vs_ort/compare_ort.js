#!/usr/bin/env node
// Cross-checks onyx's contrib-op kernels against ONNX Runtime (onnxruntime-node, CPU): make_cases.py writes
// single-node models with random inputs into a temp dir, each is run in ORT and in `onyx run -O 0 --no-check` (the outputs carry no shapes, which ONNX's checker wants), and every output
// must agree within --tol (max abs difference; default 1e-5).
//
//   node tests/kernels/contrib_vs_ort/compare_ort.js --onyx build/onyx [--python /usr/bin/python3] [--tol 1e-5]
//                                                    [--filter REGEX] [--keep-temp]
//
// Prints one line per case "ok|FAIL <case> max_abs_diff=<d> [per output]" and "N passed, M failed" last; exit 1 if
// anything failed or no case ran. npy I/O and the ORT / onyx runners are tests/models/ort_compare.js's.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const {spawnSync} = require('child_process');
const {readNpy, maxAbsDiff, loadOrt, runOrt, runOnyx} = require('../../models/ort_compare.js');

function parseArgs(argv) {
  const o = {onyx: null, python: '/usr/bin/python3', tol: 1e-5, filter: null, keepTemp: false};
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--onyx') o.onyx = next();
    else if (a === '--python') o.python = next();
    else if (a === '--tol') o.tol = Number(next());
    else if (a === '--filter') o.filter = new RegExp(next());
    else if (a === '--keep-temp') o.keepTemp = true;
    else throw new Error(`unknown argument ${a}`);
  }
  if (!o.onyx) throw new Error('--onyx PATH is required');
  return o;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const ort = loadOrt();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'onyx-contrib-ort-'));
  const gen = spawnSync(opts.python, [path.join(__dirname, 'make_cases.py'), tmp], {encoding: 'utf8'});
  if (gen.status !== 0) throw new Error(`make_cases.py failed: ${gen.stderr || gen.stdout}`);
  const cases = JSON.parse(fs.readFileSync(path.join(tmp, 'cases.json'), 'utf8'));
  let passed = 0;
  let failed = 0;
  for (const c of cases) {
    if (opts.filter && !opts.filter.test(c.name)) continue;
    const dir = path.join(tmp, c.name);
    const modelPath = path.join(dir, 'model.onnx');
    const inputs = {};
    for (const f of fs.readdirSync(dir)) {
      const m = /^input_(.+)\.npy$/.exec(f);
      if (m) inputs[m[1]] = readNpy(path.join(dir, f));
    }
    try {
      const session = await ort.InferenceSession.create(modelPath, {graphOptimizationLevel: 'disabled'});
      const want = await runOrt(ort, session, inputs);
      const got = runOnyx(opts.onyx, modelPath, inputs, path.join(dir, 'onyx'), c.outputs, ['-O', '0', '--no-check']);
      let worst = 0;
      const parts = [];
      for (const name of c.outputs) {
        const {diff, why} = maxAbsDiff(got[name], want[name]);
        parts.push(`${name}=${diff.toExponential(2)}${why ? ` (${why})` : ''}`);
        worst = Math.max(worst, diff);
      }
      const ok = worst <= opts.tol;
      console.log(`${ok ? 'ok  ' : 'FAIL'} ${c.name} max_abs_diff=${worst.toExponential(2)} [${parts.join(' ')}]`);
      ok ? ++passed : ++failed;
    } catch (e) {
      console.log(`FAIL ${c.name}: ${e.message.split('\n')[0]}`);
      ++failed;
    }
  }
  if (!opts.keepTemp) fs.rmSync(tmp, {recursive: true, force: true});
  else console.log(`cases kept in ${tmp}`);
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 && passed > 0 ? 0 : 1;
}

main().then((code) => process.exit(code), (e) => {
  console.error(`compare_ort: ${e.stack || e}`);
  process.exit(1);
});
