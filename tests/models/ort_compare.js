#!/usr/bin/env node
// Compares the committed test models' outputs across PyTorch (reference .npy files), ONNX Runtime and onyx.
//
//   node tests/models/ort_compare.js --models tests/models/data [--onyx PATH/TO/onyx] [--tol 1e-4]
//                                    [--filter REGEX] [--keep-temp]
//
// For every <models>/<model>/model.onnx and every case_<name>/ folder beside it (input_<name>.npy, output_<name>.npy,
// written by scripts/export_test_models.py):
//   ort-vs-torch          ONNX Runtime (CPU, graphOptimizationLevel 'all') vs the PyTorch outputs
//   ort-rows-vs-batched   case batch3_padded only: each row run alone through ORT, trimmed as manifest.json says,
//                         equals the batched ORT output on that row's valid positions
// and with --onyx, running `ONYX run MODEL.onnx --input NAME=FILE.npy ... --output-dir DIR`:
//   onyx-vs-torch, onyx-vs-ort, onyx-rows-vs-batched   (the same checks for onyx)
// A check passes when the max abs difference over all its outputs is <= tol (default 1e-4). One line per
// (model, case, check); the last line is "N passed, M failed". Exit code 1 if anything failed or no check ran.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const {spawnSync} = require('child_process');

// ------------------------------------------------------------------------------------------------------------------
// .npy reading and writing (format versions 1.0, 2.0, 3.0; C order; little endian or single-byte types)
// ------------------------------------------------------------------------------------------------------------------

// npy descr (without the byte-order character) -> our dtype name, bytes per element, typed array constructor.
const kNpyTypes = {
  f4: {dtype: 'float32', size: 4, Array: Float32Array},
  f8: {dtype: 'float64', size: 8, Array: Float64Array},
  i8: {dtype: 'int64', size: 8, Array: BigInt64Array},
  i4: {dtype: 'int32', size: 4, Array: Int32Array},
  b1: {dtype: 'bool', size: 1, Array: Uint8Array},
  u1: {dtype: 'uint8', size: 1, Array: Uint8Array},
  i1: {dtype: 'int8', size: 1, Array: Int8Array},
};
const kDtypeToDescr = {};
for (const [code, t] of Object.entries(kNpyTypes)) kDtypeToDescr[t.dtype] = (t.size === 1 ? '|' : '<') + code;

const kMagic = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]);  // "\x93NUMPY"

function numel(shape) {
  return shape.reduce((a, b) => a * b, 1);
}

// Returns {dtype, shape, data} where data is a typed array of numel(shape) elements. Throws an Error naming the
// file and the problem for anything it cannot read.
function readNpy(file) {
  if (!fs.existsSync(file)) throw new Error(`${file}: no such file`);
  const buf = fs.readFileSync(file);
  const fail = (why) => {
    throw new Error(`${file}: not a readable .npy file: ${why}`);
  };
  if (buf.length < 10 || !buf.subarray(0, 6).equals(kMagic)) fail('bad magic (expected \\x93NUMPY)');
  const major = buf[6];
  let headerLen;
  let offset;
  if (major === 1) {
    headerLen = buf.readUInt16LE(8);
    offset = 10;
  } else if (major === 2 || major === 3) {
    if (buf.length < 12) fail('truncated header');
    headerLen = buf.readUInt32LE(8);
    offset = 12;
  } else {
    fail(`unsupported format version ${major}.${buf[7]}`);
  }
  if (offset + headerLen > buf.length) fail('truncated header');
  const header = buf.toString(major === 3 ? 'utf8' : 'latin1', offset, offset + headerLen);
  const descrMatch = /'descr'\s*:\s*'([^']*)'/.exec(header);
  const fortranMatch = /'fortran_order'\s*:\s*(True|False)/.exec(header);
  const shapeMatch = /'shape'\s*:\s*\(([^)]*)\)/.exec(header);
  if (!descrMatch || !fortranMatch || !shapeMatch) fail(`cannot parse header ${JSON.stringify(header.trim())}`);
  if (fortranMatch[1] === 'True') fail('Fortran-order arrays are not supported (save with np.ascontiguousarray)');
  const descr = descrMatch[1];
  const order = descr[0];
  const type = kNpyTypes[descr.slice(1)];
  if (!type || !'<|='.includes(order) || (order === '|' && type.size !== 1)) {
    fail(`unsupported dtype '${descr}' (supported: little-endian f4 f8 i8 i4, b1 u1 i1)`);
  }
  const shape = shapeMatch[1].split(',').map((s) => s.trim()).filter((s) => s.length > 0).map((s) => {
    const n = Number(s.replace(/L$/, ''));
    if (!Number.isInteger(n) || n < 0) fail(`bad shape entry '${s}'`);
    return n;
  });
  const count = numel(shape);
  const dataStart = offset + headerLen;
  const bytes = count * type.size;
  if (buf.length - dataStart < bytes) fail(`expected ${bytes} data bytes for shape [${shape}], found ${buf.length - dataStart}`);
  // Copy into a fresh, aligned ArrayBuffer (the file buffer's offset is not necessarily a multiple of 8).
  const ab = new ArrayBuffer(bytes);
  new Uint8Array(ab).set(buf.subarray(dataStart, dataStart + bytes));
  return {dtype: type.dtype, shape, data: new type.Array(ab)};
}

function writeNpy(file, tensor) {
  const descr = kDtypeToDescr[tensor.dtype];
  if (!descr) throw new Error(`${file}: cannot write dtype ${tensor.dtype} as .npy`);
  const shapeText = tensor.shape.length === 1 ? `(${tensor.shape[0]},)` : `(${tensor.shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // Version 1.0: 10-byte preamble; pad with spaces so the data starts on a 64-byte boundary; end with '\n'.
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header + ' '.repeat(total - 10 - header.length - 1) + '\n';
  const pre = Buffer.alloc(10);
  kMagic.copy(pre, 0);
  pre[6] = 1;
  pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  const d = tensor.data;
  fs.writeFileSync(file, Buffer.concat([pre, Buffer.from(header, 'latin1'),
    Buffer.from(d.buffer, d.byteOffset, d.byteLength)]));
}

// ------------------------------------------------------------------------------------------------------------------
// Tensor helpers
// ------------------------------------------------------------------------------------------------------------------

// Elements [start, end) along `axis` of a C-order tensor.
function sliceAxis(t, axis, start, end) {
  if (axis < 0 || axis >= t.shape.length || start < 0 || end > t.shape[axis] || start > end) {
    throw new Error(`bad slice axis ${axis} [${start}, ${end}) of shape [${t.shape}]`);
  }
  const outer = numel(t.shape.slice(0, axis));
  const inner = numel(t.shape.slice(axis + 1));
  const dim = t.shape[axis];
  const len = end - start;
  const shape = t.shape.slice();
  shape[axis] = len;
  const data = new t.data.constructor(outer * len * inner);
  for (let o = 0; o < outer; ++o) {
    const src = (o * dim + start) * inner;
    data.set(t.data.subarray(src, src + len * inner), o * len * inner);
  }
  return {dtype: t.dtype, shape, data};
}

// Row `row` (batch axis kept, size 1), then the manifest's {axis, start, end} slice if any.
function rowSlice(t, row, spec) {
  const r = sliceAxis(t, 0, row, row + 1);
  return spec ? sliceAxis(r, spec.axis, spec.start, spec.end) : r;
}

// Max abs difference, or Infinity with a reason when the tensors cannot be compared.
function maxAbsDiff(a, b) {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    return {diff: Infinity, why: `shape [${a.shape}] vs [${b.shape}]`};
  }
  let m = 0;
  const n = a.data.length;
  for (let i = 0; i < n; ++i) {
    const x = Number(a.data[i]);
    const y = Number(b.data[i]);
    if (Number.isNaN(x) || Number.isNaN(y)) {
      if (Number.isNaN(x) && Number.isNaN(y)) continue;
      return {diff: Infinity, why: `NaN at flat index ${i}`};
    }
    const d = Math.abs(x - y);
    if (d > m) m = d;
  }
  return {diff: m, why: ''};
}

// ------------------------------------------------------------------------------------------------------------------
// Runners
// ------------------------------------------------------------------------------------------------------------------

function loadOrt() {
  const ortPath = path.join(__dirname, '../../tools/node/node_modules/onnxruntime-node');
  try {
    return require(ortPath);
  } catch (e) {
    throw new Error(`cannot load ONNX Runtime from ${ortPath} (run scripts/setup.sh to npm install it): ${e.message}`);
  }
}

async function runOrt(ort, session, inputs) {
  const feeds = {};
  for (const name of session.inputNames) {
    const t = inputs[name];
    if (!t) throw new Error(`no value for graph input '${name}'`);
    feeds[name] = new ort.Tensor(t.dtype, t.data, t.shape);
  }
  const results = await session.run(feeds);
  const out = {};
  for (const name of session.outputNames) {
    const r = results[name];
    out[name] = {dtype: r.type, shape: Array.from(r.dims), data: r.data};
  }
  return out;
}

// Runs `onyx run` (plus `extraArgs`), returns {name: tensor} for `outputNames`. Throws with the command's stderr on
// failure.
function runOnyx(onyx, modelPath, inputs, dir, outputNames, extraArgs = []) {
  fs.mkdirSync(dir, {recursive: true});
  const inDir = path.join(dir, 'in');
  const outDir = path.join(dir, 'out');
  fs.mkdirSync(inDir, {recursive: true});
  fs.mkdirSync(outDir, {recursive: true});
  const args = ['run', modelPath];
  for (const [name, t] of Object.entries(inputs)) {
    const file = path.join(inDir, `${name}.npy`);
    writeNpy(file, t);
    args.push('--input', `${name}=${file}`);
  }
  args.push('--output-dir', outDir, ...extraArgs);
  const res = spawnSync(onyx, args, {encoding: 'utf8', maxBuffer: 64 << 20});
  if (res.error) throw new Error(`cannot run ${onyx}: ${res.error.message}`);
  if (res.status !== 0) {
    const tail = (res.stderr || res.stdout || '').trim().split('\n').slice(-5).join(' | ');
    throw new Error(`onyx exited with ${res.status === null ? res.signal : res.status}: ${tail}`);
  }
  const out = {};
  for (const name of outputNames) {
    const file = path.join(outDir, `${name}.npy`);
    if (!fs.existsSync(file)) throw new Error(`onyx wrote no ${file} for graph output '${name}'`);
    out[name] = readNpy(file);
  }
  return out;
}

// ------------------------------------------------------------------------------------------------------------------
// Main
// ------------------------------------------------------------------------------------------------------------------

function parseArgs(argv) {
  const opts = {models: null, onyx: null, tol: 1e-4, filter: null, keepTemp: false};
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--models') opts.models = value();
    else if (a === '--onyx') opts.onyx = value();
    else if (a === '--tol') opts.tol = Number(value());
    else if (a === '--filter') opts.filter = new RegExp(value());
    else if (a === '--keep-temp') opts.keepTemp = true;
    else if (a === '-h' || a === '--help') opts.help = true;
    else throw new Error(`unknown argument '${a}' (see --help)`);
  }
  if (opts.help) return opts;
  if (!opts.models) throw new Error('--models DIR is required (e.g. --models tests/models/data)');
  if (!Number.isFinite(opts.tol) || opts.tol < 0) throw new Error('--tol needs a non-negative number');
  return opts;
}

// name -> tensor for every <prefix><name>.npy in dir (names may contain '.', e.g. past_key_values.0.key).
function readPrefixed(dir, prefix) {
  const out = {};
  for (const f of fs.readdirSync(dir).sort()) {
    if (f.startsWith(prefix) && f.endsWith('.npy')) out[f.slice(prefix.length, -4)] = readNpy(path.join(dir, f));
  }
  return out;
}

function fmt(x) {
  return Number.isFinite(x) ? x.toExponential(2) : String(x);
}

async function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`ort_compare: ${e.message}`);
    return 2;
  }
  if (opts.help) {
    console.log(fs.readFileSync(__filename, 'utf8').split('\n').slice(1, 17).map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
    return 0;
  }
  const root = path.resolve(opts.models);
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) {
    console.error(`ort_compare: models folder ${root} does not exist (generate it with ` +
                  '/usr/bin/python3 scripts/export_test_models.py --out tests/models/data)');
    return 1;
  }
  if (opts.onyx && !fs.existsSync(opts.onyx)) {
    console.error(`ort_compare: onyx binary ${opts.onyx} does not exist (build the onyx CLI first)`);
    return 1;
  }
  let manifest = {models: []};
  const manifestPath = path.join(root, 'manifest.json');
  if (fs.existsSync(manifestPath)) {
    manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
  } else {
    console.log(`note: ${manifestPath} is missing; the rows-vs-batched checks are skipped`);
  }
  const caseInfo = {};  // "<model>/<case>" -> manifest case entry
  for (const m of manifest.models) for (const c of m.cases) caseInfo[`${m.name}/${c.name}`] = c;

  let ort;
  try {
    ort = loadOrt();
  } catch (e) {
    console.error(`ort_compare: ${e.message}`);
    return 1;
  }
  const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'onyx-ort-compare-'));
  let passed = 0;
  let failed = 0;
  // One line per (model, case, check). results: [{name, diff, why}] over the outputs compared.
  const report = (model, kase, check, results, error) => {
    let worst = results[0];
    for (const r of results) if (!(r.diff <= worst.diff)) worst = r;
    const ok = !error && results.length > 0 && worst.diff <= opts.tol;
    if (ok) ++passed;
    else ++failed;
    let line = `${ok ? 'PASS' : 'FAIL'}  ${model}  ${kase}  ${check}`;
    if (error) line += `  error: ${error}`;
    else if (results.length === 0) line += '  error: nothing to compare';
    else line += `  max_abs=${fmt(worst.diff)} (${worst.name}${worst.why ? ': ' + worst.why : ''})`;
    console.log(line);
    if (!ok) for (const r of results) console.log(`        ${r.name}: max_abs=${fmt(r.diff)}${r.why ? ' ' + r.why : ''}`);
  };
  const compareAll = (got, want, names) => names.map((name) => {
    if (!got[name]) return {name, diff: Infinity, why: 'missing'};
    if (!want[name]) return {name, diff: Infinity, why: 'missing reference'};
    return {name, ...maxAbsDiff(got[name], want[name])};
  });

  const models = fs.readdirSync(root).filter((d) => fs.existsSync(path.join(root, d, 'model.onnx'))).sort();
  for (const name of manifest.models.map((m) => m.name)) {
    if (!models.includes(name)) {
      console.log(`FAIL  ${name}  -  files  error: listed in manifest.json but ${path.join(root, name, 'model.onnx')} is missing`);
      ++failed;
    }
  }
  for (const model of models) {
    if (opts.filter && !opts.filter.test(model)) continue;
    const modelPath = path.join(root, model, 'model.onnx');
    let session;
    try {
      session = await ort.InferenceSession.create(modelPath, {graphOptimizationLevel: 'all', executionProviders: ['cpu']});
    } catch (e) {
      report(model, '-', 'ort-load', [], `ONNX Runtime cannot load ${modelPath}: ${e.message}`);
      continue;
    }
    const outputNames = session.outputNames;
    const cases = fs.readdirSync(path.join(root, model)).filter((d) => d.startsWith('case_')).sort();
    if (cases.length === 0) report(model, '-', 'files', [], `no case_* folders in ${path.join(root, model)}`);
    for (const caseDir of cases) {
      const kase = caseDir.slice('case_'.length);
      const dir = path.join(root, model, caseDir);
      let inputs;
      let expected;
      try {
        inputs = readPrefixed(dir, 'input_');
        expected = readPrefixed(dir, 'output_');
        const missingIn = session.inputNames.filter((n) => !inputs[n]).map((n) => path.join(dir, `input_${n}.npy`));
        const missingOut = outputNames.filter((n) => !expected[n]).map((n) => path.join(dir, `output_${n}.npy`));
        const missing = missingIn.concat(missingOut);
        if (missing.length) throw new Error(`missing ${missing.join(', ')}`);
        const extra = Object.keys(expected).filter((n) => !outputNames.includes(n));
        if (extra.length) throw new Error(`reference outputs ${extra.join(', ')} are not graph outputs of ${modelPath}`);
      } catch (e) {
        report(model, kase, 'files', [], e.message);
        continue;
      }
      const info = caseInfo[`${model}/${kase}`];
      const rows = info && info.rows ? info.rows : null;
      if (kase === 'batch3_padded' && !rows) console.log(`note: ${model}/${kase} has no rows in manifest.json; rows check skipped`);

      // ONNX Runtime vs PyTorch.
      let ortOut = null;
      try {
        ortOut = await runOrt(ort, session, inputs);
        report(model, kase, 'ort-vs-torch', compareAll(ortOut, expected, outputNames));
      } catch (e) {
        report(model, kase, 'ort-vs-torch', [], `ONNX Runtime run failed: ${e.message}`);
      }
      // Each row alone through ORT vs the batched ORT output (validates the manifest's row slices, too).
      if (rows && ortOut) {
        try {
          const results = [];
          for (const row of rows) {
            const rowInputs = {};
            for (const n of session.inputNames) rowInputs[n] = rowSlice(inputs[n], row.row, row.inputs[n]);
            const single = await runOrt(ort, session, rowInputs);
            const batched = {};
            for (const n of outputNames) batched[n] = rowSlice(ortOut[n], row.row, row.outputs[n]);
            for (const r of compareAll(single, batched, outputNames)) results.push({...r, name: `row${row.row}.${r.name}`});
          }
          report(model, kase, 'ort-rows-vs-batched', results);
        } catch (e) {
          report(model, kase, 'ort-rows-vs-batched', [], e.message);
        }
      }
      if (!opts.onyx) continue;

      // onyx vs PyTorch and vs ORT.
      const workDir = path.join(tmpRoot, model, kase);
      let onyxOut = null;
      try {
        onyxOut = runOnyx(opts.onyx, modelPath, inputs, path.join(workDir, 'batched'), outputNames);
      } catch (e) {
        report(model, kase, 'onyx-vs-torch', [], e.message);
      }
      if (onyxOut) {
        report(model, kase, 'onyx-vs-torch', compareAll(onyxOut, expected, outputNames));
        if (ortOut) report(model, kase, 'onyx-vs-ort', compareAll(onyxOut, ortOut, outputNames));
        else report(model, kase, 'onyx-vs-ort', [], 'no ONNX Runtime output to compare with');
      }
      // Each row alone through onyx vs the batched onyx output on the row's valid positions.
      if (rows && onyxOut) {
        try {
          const results = [];
          for (const row of rows) {
            const rowInputs = {};
            for (const n of session.inputNames) rowInputs[n] = rowSlice(inputs[n], row.row, row.inputs[n]);
            const single = runOnyx(opts.onyx, modelPath, rowInputs, path.join(workDir, `row${row.row}`), outputNames);
            const batched = {};
            for (const n of outputNames) batched[n] = rowSlice(onyxOut[n], row.row, row.outputs[n]);
            for (const r of compareAll(single, batched, outputNames)) results.push({...r, name: `row${row.row}.${r.name}`});
          }
          report(model, kase, 'onyx-rows-vs-batched', results);
        } catch (e) {
          report(model, kase, 'onyx-rows-vs-batched', [], e.message);
        }
      }
    }
    if (session.release) await session.release();
  }
  if (!opts.keepTemp) fs.rmSync(tmpRoot, {recursive: true, force: true});
  else console.log(`temporary files kept in ${tmpRoot}`);
  console.log(`${passed} passed, ${failed} failed`);
  return failed > 0 || passed === 0 ? 1 : 0;
}

module.exports = {readNpy, writeNpy, sliceAxis, maxAbsDiff, loadOrt, runOrt, runOnyx, readPrefixed, fmt};

if (require.main === module) {
  main().then((code) => process.exit(code), (e) => {
    console.error(`ort_compare: ${e.stack || e}`);
    process.exit(1);
  });
}
