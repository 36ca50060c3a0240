// Compares `onyx pipeline sentiment-analysis` with transformers.js 4.3.1 (tools/node) on the same model folder:
// identical labels and scores within --tol on SST-2 dev sentences (plus a few edge inputs: empty, whitespace-only,
// and a text far longer than the model's maximum, which both truncate).
//
// The reference tokenizer is Hugging Face's Rust `tokenizers` (tools/node/node_modules/tokenizers). Where
// transformers.js's own JS tokenizer gives different ids for a sentence, the sentence is listed and the reference
// wins: transformers.js's model is run on the Rust ids (same ONNX file, onnxruntime-node) and onyx is compared
// with that.
//
//   node scripts/pipelines/compare_transformers_js.mjs --onyx build/onyx --model models/distilbert-sst2-tiny \
//        --data ../shared/data/sst2/dev.tsv [--limit 60] [--tol 1e-4] [--json-out report.json]
// Exit status: 0 when every label matches and every score is within --tol; 1 otherwise.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');

function parseArgs(argv) {
  const a = { onyx: path.join(root, 'build/onyx'), model: path.join(root, 'models/distilbert-sst2-tiny'),
              data: path.join(root, '../shared/data/sst2/dev.tsv'), limit: 0, tol: 1e-4, node: path.join(root, 'tools/node'),
              jsonOut: '' };
  for (let i = 2; i < argv.length; i += 2) {
    const k = argv[i].replace(/^--/, '').replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    if (!(k in a)) throw new Error(`unknown option ${argv[i]}`);
    a[k] = typeof a[k] === 'number' ? Number(argv[i + 1]) : argv[i + 1];
  }
  return a;
}

const args = parseArgs(process.argv);
const require = createRequire(path.join(path.resolve(args.node), 'package.json'));
const { pipeline, env, Tensor } = await import(require.resolve('@huggingface/transformers'));
const { Tokenizer } = require('tokenizers');

// Inputs: SST-2 sentences (sentence<TAB>label, header skipped) + edge cases.
let sentences = fs.readFileSync(args.data, 'utf8').split('\n').filter((l) => l.length > 0)
  .map((l) => l.slice(0, l.lastIndexOf('\t')));
if (sentences[0] === 'sentence') sentences.shift();
if (args.limit > 0) sentences = sentences.slice(0, args.limit);
const extras = ['', '   ', 'a truly wonderful , moving film . '.repeat(200)];
const texts = sentences.concat(extras);

// transformers.js on the folder, offline.
const modelDir = path.resolve(args.model);
env.allowRemoteModels = false;
env.allowLocalModels = true;
env.localModelPath = path.dirname(modelDir) + path.sep;
const classifier = await pipeline('sentiment-analysis', path.basename(modelDir), { dtype: 'fp32' });

// Reference tokenizer, truncated to the model's maximum as the pipelines do.
const tcfg = JSON.parse(fs.readFileSync(path.join(modelDir, 'tokenizer_config.json'), 'utf8'));
const cfg = JSON.parse(fs.readFileSync(path.join(modelDir, 'config.json'), 'utf8'));
const maxLength = Math.min(tcfg.model_max_length ?? 1e9, cfg.max_position_embeddings ?? 1e9);
const rust = Tokenizer.fromFile(path.join(modelDir, 'tokenizer.json'));
rust.setTruncation(maxLength);

const id2label = cfg.id2label;
function softmax(row) {
  const m = Math.max(...row);
  const e = row.map((v) => Math.exp(v - m));
  const s = e.reduce((x, y) => x + y, 0);
  return e.map((v) => v / s);
}

const expected = [];
const disagreements = [];
for (const [i, text] of texts.entries()) {
  const jsIds = Array.from(classifier.tokenizer(text, { truncation: true, max_length: maxLength }).input_ids.data, Number);
  const refIds = (await rust.encode(text, null, { addSpecialTokens: true })).getIds();
  if (jsIds.length !== refIds.length || jsIds.some((v, k) => v !== refIds[k])) {
    // The reference wins: run the same model on the Rust ids.
    const n = refIds.length;
    const ids = new Tensor('int64', BigInt64Array.from(refIds.map(BigInt)), [1, n]);
    const mask = new Tensor('int64', BigInt64Array.from(refIds.map(() => 1n)), [1, n]);
    const out = await classifier.model({ input_ids: ids, attention_mask: mask });
    const probs = softmax(Array.from(out.logits.data));
    const best = probs.indexOf(Math.max(...probs));
    expected.push({ label: id2label[best], score: probs[best], source: 'reference-tokenizer' });
    disagreements.push({ index: i, text, transformers_js_ids: jsIds, reference_ids: refIds });
  } else {
    const [r] = await classifier(text);
    expected.push({ label: r.label, score: r.score, source: 'transformers.js' });
  }
}

// onyx on the same inputs (one JSON string per line).
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'onyx-cmp-'));
const inFile = path.join(tmp, 'inputs.jsonl');
fs.writeFileSync(inFile, texts.map((t) => JSON.stringify(t)).join('\n') + '\n');
const run = spawnSync(args.onyx, ['pipeline', 'sentiment-analysis', '--model', modelDir, '--jsonl', inFile, '-q'],
                      { encoding: 'utf8', maxBuffer: 1 << 28 });
fs.rmSync(tmp, { recursive: true, force: true });
if (run.status !== 0) {
  console.error(`onyx failed (${run.status}): ${run.stderr}`);
  process.exit(1);
}
const got = JSON.parse(run.stdout);
if (got.length !== texts.length) {
  console.error(`onyx returned ${got.length} results for ${texts.length} inputs`);
  process.exit(1);
}
const truncationWarned = /truncated/.test(run.stderr);

let sameLabels = 0;
let maxDiff = 0;
let worst = -1;
const mismatches = [];
for (const [i, e] of expected.entries()) {
  const g = got[i];
  const diff = Math.abs(g.score - e.score);
  if (g.label === e.label) sameLabels++;
  if (diff > maxDiff) { maxDiff = diff; worst = i; }
  if (g.label !== e.label || !(diff <= args.tol)) mismatches.push({ index: i, text: texts[i].slice(0, 120), onyx: g, expected: e });
}
const nSst = sentences.length;
const sstSame = expected.slice(0, nSst).filter((e, i) => got[i].label === e.label).length;
const sstMaxDiff = Math.max(0, ...expected.slice(0, nSst).map((e, i) => Math.abs(got[i].score - e.score)));

console.log(`model: ${modelDir}`);
console.log(`SST-2 dev sentences: ${sstSame}/${nSst} identical labels, max |score diff| ${sstMaxDiff.toExponential(3)}`);
console.log(`edge inputs (empty, whitespace-only, ${texts[texts.length - 1].length}-char text): ` +
            `${extras.map((_, k) => got[nSst + k].label === expected[nSst + k].label ? 'same' : 'DIFFERENT').join(', ')}; ` +
            `onyx warned about truncation: ${truncationWarned}`);
console.log(`all ${texts.length} inputs: ${sameLabels}/${texts.length} identical labels, max |score diff| ` +
            `${maxDiff.toExponential(3)}${worst >= 0 ? ` (input ${worst})` : ''}, tolerance ${args.tol}`);
console.log(`transformers.js tokenizer vs Rust tokenizers reference: ${disagreements.length} disagreement(s)`);
for (const d of disagreements) console.log(`  input ${d.index}: ${JSON.stringify(d.text.slice(0, 160))}`);
for (const m of mismatches.slice(0, 20)) console.log(`  MISMATCH ${JSON.stringify(m)}`);
if (args.jsonOut) {
  fs.writeFileSync(args.jsonOut, JSON.stringify({ sentences: nSst, same_labels: sstSame, max_score_diff: sstMaxDiff,
    all_inputs: texts.length, all_same_labels: sameLabels, all_max_score_diff: maxDiff, disagreements, mismatches }, null, 1));
}
const ok = mismatches.length === 0 && truncationWarned;
console.log(ok ? 'PASS' : 'FAIL');
process.exit(ok ? 0 : 1);
