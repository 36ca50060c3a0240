// Compares `onyx pipeline` token-classification, question-answering and zero-shot-classification with
// transformers.js 4.3.1 (tools/node, offline, fp32) on the test heads made by scripts/pipelines/make_task_heads.py
// (tests/pipelines/data/distilbert_{ner,qa,nli}), over SST-2 dev sentences:
//   token-classification  aggregation none: entity, index, word identical, score within --tol, vs
//                         transformers.js. simple/first/average/max: transformers.js implements only none and a
//                         `simple` that differs from Python transformers (it drops ignore_labels before grouping
//                         and returns no start/end), so these are checked against `pyAggregate` below, a line-by-line
//                         port of Python transformers' TokenClassificationPipeline (gather_pre_entities, aggregate,
//                         aggregate_words, group_entities) fed with transformers.js's logits and the Rust
//                         `tokenizers` offsets: entity_group, word, start, end identical, score within --tol.
//   question-answering    top 3, max_answer_len 64 (transformers.js has no max_answer_len) and align_to_words
//                         false (transformers.js decodes the answer tokens, Python slices the context): scores within
//                         --tol, and the tokens inside onyx's [start, end) decode (+ transformers' whole-string
//                         clean_up_tokenization) to transformers.js's answer.
//   zero-shot             3 labels, multi_label false and true: labels identical, scores within --tol.
// Inputs longer than 40 tokens are skipped (transformers.js truncates where onyx opens doc-stride windows).
//   node scripts/pipelines/compare_heads.mjs --onyx build/onyx --data ../shared/data/sst2/dev.tsv [--limit 40]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = { onyx: path.join(root, 'build/onyx'), models: path.join(root, 'tests/pipelines/data'),
               data: path.join(root, '../shared/data/sst2/dev.tsv'), limit: 40, tol: 1e-4, node: path.join(root, 'tools/node') };
for (let i = 2; i < process.argv.length; i += 2) {
  const k = process.argv[i].replace(/^--/, '');
  if (!(k in args)) throw new Error(`unknown option ${process.argv[i]}`);
  args[k] = typeof args[k] === 'number' ? Number(process.argv[i + 1]) : process.argv[i + 1];
}
const require = createRequire(path.join(path.resolve(args.node), 'package.json'));
const { pipeline, env } = await import(require.resolve('@huggingface/transformers'));
const { Tokenizer } = require('tokenizers');
env.allowRemoteModels = false;
env.localModelPath = path.resolve(args.models) + path.sep;

let sentences = fs.readFileSync(args.data, 'utf8').split('\n').filter((l) => l.length > 0)
  .map((l) => l.slice(0, l.lastIndexOf('\t')));
if (sentences[0] === 'sentence') sentences.shift();
const rust = Tokenizer.fromFile(path.join(args.models, 'distilbert_ner', 'tokenizer.json'));
const texts = [];
for (const s of sentences) {
  if (texts.length >= args.limit) break;
  if ((await rust.encode(s, null, { addSpecialTokens: true })).getIds().length <= 40) texts.push(s);
}
texts.push('John Smithson lives in Parisville with Googlers, doesn\'t he?');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'onyx-heads-'));
function onyx(task, model, inputs, params) {
  const f = path.join(tmp, 'in.jsonl');
  fs.writeFileSync(f, inputs.map((t) => JSON.stringify(t)).join('\n') + '\n');
  const run = spawnSync(args.onyx, ['pipeline', task, '--model', path.join(args.models, model), '--jsonl', f, '-q',
                                    '--batch-size', '4', '--params', JSON.stringify(params)],
                        { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (run.status !== 0) { console.error(run.stderr); process.exit(1); }
  return JSON.parse(run.stdout);
}
let failed = false;
function report(name, ok, detail) {
  failed ||= !ok;
  console.log(`${name}: ${detail} ${ok ? 'ok' : 'FAIL'}`);
}
const diff = (a, b) => Math.abs(a - b);

// ---- token-classification ----
const ner = await pipeline('token-classification', 'distilbert_ner', { dtype: 'fp32' });
const id2label = ner.model.config.id2label;
{
  const got = onyx('token-classification', 'distilbert_ner', texts, { aggregation_strategy: 'none' });
  let same = 0, maxDiff = 0;
  for (const [i, t] of texts.entries()) {
    const ref = await ner(t, { aggregation_strategy: 'none' });
    const key = (r) => r.map((x) => `${x.entity}|${x.index}|${x.word}`).join(' ');
    if (key(ref) === key(got[i])) same++;
    else console.log(`ner none input ${i}: ${key(got[i])}\n  vs transformers.js ${key(ref)}`);
    for (const [k, x] of ref.entries()) if (got[i][k]) maxDiff = Math.max(maxDiff, diff(x.score, got[i][k].score));
  }
  report('token-classification none vs transformers.js', same === texts.length && maxDiff <= args.tol,
         `${same}/${texts.length} identical entity/index/word lists, max |score diff| ${maxDiff.toExponential(3)}`);
}

// Python transformers' TokenClassificationPipeline.postprocess, ported (WordPiece fast tokenizer).
function softmax(v) {
  const m = Math.max(...v);
  const e = v.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}
const argmax = (v) => v.indexOf(Math.max(...v));
function tokensToString(tokens) {  // WordPiece decoder with cleanup
  const cleanup = (s) => s.replaceAll(' .', '.').replaceAll(' ?', '?').replaceAll(' !', '!').replaceAll(' ,', ',')
    .replaceAll(" ' ", "'").replaceAll(" n't", "n't").replaceAll(" 'm", "'m").replaceAll(' do not', " don't")
    .replaceAll(" 's", "'s").replaceAll(" 've", "'ve").replaceAll(" 're", "'re");
  return tokens.map((t, i) => cleanup(i === 0 ? t : t.startsWith('##') ? t.slice(2) : ' ' + t)).join('');
}
function pyAggregate(sentence, enc, logits, strategy, ignore = ['O']) {
  const chars = Array.from(sentence);
  const pre = [];
  const ids = enc.getIds(), toks = enc.getTokens(), offs = enc.getOffsets(), special = enc.getSpecialTokensMask();
  for (let idx = 0; idx < ids.length; ++idx) {
    if (special[idx]) continue;
    let word = toks[idx];
    const [s, e] = offs[idx];
    const wordRef = chars.slice(s, e).join('');
    let isSub = Array.from(word).length !== Array.from(wordRef).length;
    if (word === '[UNK]') { word = wordRef; isSub = false; }
    pre.push({ word, scores: softmax(logits[idx]), start: s, end: e, index: idx, isSub });
  }
  let entities;
  if (strategy === 'none' || strategy === 'simple') {
    entities = pre.map((p) => { const k = argmax(p.scores); return { entity: id2label[k], score: p.scores[k], word: p.word, start: p.start, end: p.end }; });
  } else {
    const aggWord = (g) => {
      let scores;
      if (strategy === 'first') scores = g[0].scores;
      else if (strategy === 'max') { let b = g[0]; for (const p of g) if (Math.max(...p.scores) > Math.max(...b.scores)) b = p; scores = b.scores; }
      else scores = g[0].scores.map((_, k) => g.reduce((a, p) => a + p.scores[k], 0) / g.length);
      const k = argmax(scores);
      return { entity: id2label[k], score: scores[k], word: tokensToString(g.map((p) => p.word)), start: g[0].start, end: g[g.length - 1].end };
    };
    entities = [];
    let group = null;
    for (const p of pre) {
      if (group === null) group = [p];
      else if (p.isSub) group.push(p);
      else { entities.push(aggWord(group)); group = [p]; }
    }
    if (group) entities.push(aggWord(group));
  }
  const getTag = (n) => n.startsWith('B-') ? ['B', n.slice(2)] : n.startsWith('I-') ? ['I', n.slice(2)] : ['I', n];
  const sub = (g) => ({ entity_group: g[0].entity.split('-').slice(1).join('-') || g[0].entity,
                        score: g.reduce((a, x) => a + x.score, 0) / g.length,
                        word: tokensToString(g.map((x) => x.word)), start: g[0].start, end: g[g.length - 1].end });
  const groups = [];
  let cur = [];
  for (const e of entities) {
    if (cur.length === 0) { cur.push(e); continue; }
    const [bi, tag] = getTag(e.entity);
    const [, lastTag] = getTag(cur[cur.length - 1].entity);
    if (tag === lastTag && bi !== 'B') cur.push(e);
    else { groups.push(sub(cur)); cur = [e]; }
  }
  if (cur.length) groups.push(sub(cur));
  return groups.filter((g) => !ignore.includes(g.entity_group));
}
for (const strategy of ['simple', 'first', 'average', 'max']) {
  const got = onyx('token-classification', 'distilbert_ner', texts, { aggregation_strategy: strategy });
  let same = 0, maxDiff = 0;
  for (const [i, t] of texts.entries()) {
    const inputs = ner.tokenizer(t);
    const logits = (await ner.model(inputs)).logits[0].tolist();
    const ref = pyAggregate(t, await rust.encode(t, null, { addSpecialTokens: true }), logits, strategy);
    const key = (r) => r.map((x) => `${x.entity_group}|${x.word}|${x.start}|${x.end}`).join(' ');
    if (key(ref) === key(got[i])) same++;
    else console.log(`ner ${strategy} input ${i}: ${key(got[i])}\n  vs reference ${key(ref)}`);
    for (const [k, x] of ref.entries()) if (got[i][k]) maxDiff = Math.max(maxDiff, diff(x.score, got[i][k].score));
  }
  report(`token-classification ${strategy} vs Python-transformers port`, same === texts.length && maxDiff <= args.tol,
         `${same}/${texts.length} identical groups, max |score diff| ${maxDiff.toExponential(3)}`);
}

// ---- question-answering ----
{
  const qa = await pipeline('question-answering', 'distilbert_qa', { dtype: 'fp32' });
  const items = texts.map((t) => ({ question: t.split(' ').slice(0, 3).join(' ') + ' ?', context: t }));
  const got = onyx('question-answering', 'distilbert_qa', items, { top_k: 3, max_answer_len: 64, align_to_words: false });
  let same = 0, maxDiff = 0;
  for (const [i, it] of items.entries()) {
    const ref = await qa(it.question, it.context, { top_k: 3 });
    const enc = await rust.encode(it.question, it.context, { addSpecialTokens: true });
    const ids = enc.getIds(), offs = enc.getOffsets();
    // The context is the second sequence: tokens after the first [SEP].
    const sep = ids.indexOf(ner.tokenizer.sep_token_id);
    const answers = got[i].map((a) => {
      const span = [];
      for (let k = sep + 1; k < ids.length - 1; ++k) if (offs[k][0] >= a.start && offs[k][1] <= a.end) span.push(ids[k]);
      return rust.decode(span, true);
    });
    // transformers' whole-string clean_up_tokenization (the Rust decoder cleans per token only; see fill-mask).
    const clean = (x) => x.replaceAll(' .', '.').replaceAll(' ?', '?').replaceAll(' !', '!').replaceAll(' ,', ',')
      .replaceAll(" ' ", "'").replaceAll(" n't", "n't").replaceAll(" 'm", "'m").replaceAll(" 's", "'s")
      .replaceAll(" 've", "'ve").replaceAll(" 're", "'re");
    const decoded = (await Promise.all(answers)).map(clean);
    const ok = ref.length === got[i].length && ref.every((r, k) => r.answer === decoded[k]);
    if (ok) same++;
    else console.log(`qa input ${i}: ${JSON.stringify(decoded)} vs transformers.js ${JSON.stringify(ref.map((r) => r.answer))}`);
    for (const [k, r] of ref.entries()) if (got[i][k]) maxDiff = Math.max(maxDiff, diff(r.score, got[i][k].score));
  }
  report('question-answering top 3 vs transformers.js', same === items.length && maxDiff <= args.tol,
         `${same}/${items.length} identical answers, max |score diff| ${maxDiff.toExponential(3)}`);
}

// ---- zero-shot-classification ----
{
  const zs = await pipeline('zero-shot-classification', 'distilbert_nli', { dtype: 'fp32' });
  const labels = ['movies', 'politics', 'a great film'];
  for (const multi_label of [false, true]) {
    const got = onyx('zero-shot-classification', 'distilbert_nli', texts, { candidate_labels: labels, multi_label });
    let same = 0, maxDiff = 0;
    for (const [i, t] of texts.entries()) {
      const ref = await zs(t, labels, { multi_label });
      if (ref.labels.join('|') === got[i].labels.join('|') && ref.sequence === got[i].sequence) same++;
      else console.log(`zero-shot input ${i}: ${got[i].labels} vs transformers.js ${ref.labels}`);
      for (const [k, s] of ref.scores.entries()) maxDiff = Math.max(maxDiff, diff(s, got[i].scores[k]));
    }
    report(`zero-shot-classification multi_label=${multi_label} vs transformers.js`,
           same === texts.length && maxDiff <= args.tol,
           `${same}/${texts.length} identical label orders, max |score diff| ${maxDiff.toExponential(3)}`);
  }
}
fs.rmSync(tmp, { recursive: true, force: true });
console.log(failed ? 'FAIL' : 'PASS');
process.exit(failed ? 1 : 0);
