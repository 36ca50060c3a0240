// Compares `onyx pipeline feature-extraction` with transformers.js 4.3.1 (tools/node) on the same model folder
// (tests/pipelines/data/distilbert_feature, made by scripts/pipelines/make_test_models.py): pooling none, mean
// (+ normalize) and cls, on SST-2 dev sentences plus empty, whitespace-only and over-long inputs. Inputs whose
// transformers.js token ids differ from the Rust `tokenizers` reference are listed and skipped.
//
//   node scripts/pipelines/compare_tasks.mjs --onyx build/onyx --model tests/pipelines/data/distilbert_feature \
//        --data ../shared/data/sst2/dev.tsv [--limit 40] [--tol 1e-4]
// Exit status 0 when every compared value is within --tol.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = { onyx: path.join(root, 'build/onyx'), model: path.join(root, 'tests/pipelines/data/distilbert_feature'),
               data: path.join(root, '../shared/data/sst2/dev.tsv'), limit: 40, tol: 1e-4, node: path.join(root, 'tools/node') };
for (let i = 2; i < process.argv.length; i += 2) {
  const k = process.argv[i].replace(/^--/, '');
  if (!(k in args)) throw new Error(`unknown option ${process.argv[i]}`);
  args[k] = typeof args[k] === 'number' ? Number(process.argv[i + 1]) : process.argv[i + 1];
}
const require = createRequire(path.join(path.resolve(args.node), 'package.json'));
const { pipeline, env } = await import(require.resolve('@huggingface/transformers'));
const { Tokenizer } = require('tokenizers');

let sentences = fs.readFileSync(args.data, 'utf8').split('\n').filter((l) => l.length > 0)
  .map((l) => l.slice(0, l.lastIndexOf('\t')));
if (sentences[0] === 'sentence') sentences.shift();
sentences = sentences.slice(0, args.limit);
const texts = sentences.concat(['', '  \t ', 'an utterly , completely charming movie . '.repeat(40)]);

const modelDir = path.resolve(args.model);
env.allowRemoteModels = false;
env.localModelPath = path.dirname(modelDir) + path.sep;
const extractor = await pipeline('feature-extraction', path.basename(modelDir), { dtype: 'fp32' });
const tcfg = JSON.parse(fs.readFileSync(path.join(modelDir, 'tokenizer_config.json'), 'utf8'));
const rust = Tokenizer.fromFile(path.join(modelDir, 'tokenizer.json'));
rust.setTruncation(tcfg.model_max_length);

const skip = new Set();
for (const [i, t] of texts.entries()) {
  const js = Array.from(extractor.tokenizer(t, { truncation: true, max_length: tcfg.model_max_length }).input_ids.data, Number);
  const ref = (await rust.encode(t, null, { addSpecialTokens: true })).getIds();
  if (js.length !== ref.length || js.some((v, k) => v !== ref[k])) {
    skip.add(i);
    console.log(`tokenizer disagreement (skipped) input ${i}: ${JSON.stringify(t.slice(0, 100))}`);
  }
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'onyx-tasks-'));
const inFile = path.join(tmp, 'in.jsonl');
fs.writeFileSync(inFile, texts.map((t) => JSON.stringify(t)).join('\n') + '\n');
let failed = false;
for (const [pooling, normalize] of [['none', false], ['mean', false], ['mean', true], ['cls', true]]) {
  const run = spawnSync(args.onyx, ['pipeline', 'feature-extraction', '--model', modelDir, '--jsonl', inFile, '-q',
                                    '--batch-size', '4', '--pooling', pooling, '--normalize', String(normalize)],
                        { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (run.status !== 0) { console.error(run.stderr); process.exit(1); }
  const got = JSON.parse(run.stdout);
  let maxDiff = 0;
  let compared = 0;
  for (const [i, t] of texts.entries()) {
    if (skip.has(i)) continue;
    const ref = (await extractor(t, { pooling, normalize })).tolist();
    const a = got[i].flat(Infinity);
    const b = ref.flat(Infinity);
    if (a.length !== b.length) {
      console.log(`input ${i} (${pooling}): onyx ${a.length} values, transformers.js ${b.length}`);
      failed = true;
      continue;
    }
    for (let k = 0; k < a.length; ++k) maxDiff = Math.max(maxDiff, Math.abs(a[k] - b[k]));
    compared++;
  }
  const ok = maxDiff <= args.tol;
  failed ||= !ok;
  console.log(`feature-extraction pooling=${pooling} normalize=${normalize}: ${compared} inputs, max |diff| ` +
              `${maxDiff.toExponential(3)} ${ok ? 'ok' : 'FAIL'}`);
}

// fill-mask on the MLM head (same body and tokenizer): top 5 per sentence with one word masked.
const mlmDir = path.join(path.dirname(modelDir), 'distilbert_mlm');
if (fs.existsSync(mlmDir)) {
  const unmasker = await pipeline('fill-mask', path.basename(mlmDir), { dtype: 'fp32' });
  const masked = sentences.filter((t, i) => !skip.has(i)).map((t) => {
    const w = t.trim().split(' ');
    w[Math.floor(w.length / 2)] = '[MASK]';
    return w.join(' ');
  });
  const mFile = path.join(tmp, 'masked.jsonl');
  fs.writeFileSync(mFile, masked.map((t) => JSON.stringify(t)).join('\n') + '\n');
  const run = spawnSync(args.onyx, ['pipeline', 'fill-mask', '--model', mlmDir, '--jsonl', mFile, '-q', '--top-k', '5'],
                        { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (run.status !== 0) { console.error(run.stderr); process.exit(1); }
  const got = JSON.parse(run.stdout);
  let maxDiff = 0;
  let sameTokens = 0;
  let sameText = 0;
  for (const [i, t] of masked.entries()) {
    const ref = await unmasker(t, { top_k: 5 });
    const ids = (r) => r.map((x) => x.token).join();
    if (ids(ref) === ids(got[i])) sameTokens++;
    else console.log(`fill-mask input ${i}: tokens ${ids(got[i])} vs transformers.js ${ids(ref)}`);
    if (ref.every((x, k) => x.token_str === got[i][k].token_str && x.sequence === got[i][k].sequence)) sameText++;
    else console.log(`fill-mask input ${i}: text ${JSON.stringify(got[i][0])} vs ${JSON.stringify(ref[0])}`);
    for (const [k, x] of ref.entries()) maxDiff = Math.max(maxDiff, Math.abs(x.score - got[i][k].score));
  }
  const ok = sameTokens === masked.length && sameText === masked.length && maxDiff <= args.tol;
  failed ||= !ok;
  console.log(`fill-mask top 5: ${sameTokens}/${masked.length} identical token lists, ${sameText}/${masked.length} ` +
              `identical token_str/sequence, max |score diff| ${maxDiff.toExponential(3)} ${ok ? 'ok' : 'FAIL'}`);
}
fs.rmSync(tmp, { recursive: true, force: true });
console.log(failed ? 'FAIL' : 'PASS');
process.exit(failed ? 1 : 0);
