#!/usr/bin/env node
// Encode throughput of the references on the same inputs as onyx_tokenizers_bench; driven by
// run_bench.py.
//
//   node bench/tokenizers/reference_bench.js --impl rust|tjs --tokenizer DIR --inputs FILE [--min-seconds S]
//
// rust: Hugging Face tokenizers 0.23.2 (tools/node/node_modules/tokenizers), encodeBatch on the
//   whole input list (one call per pass, so the Node call overhead is amortised); its thread
//   count comes from the environment (run_bench.py sets RAYON_NUM_THREADS, and
//   TOKENIZERS_PARALLELISM=false for one thread).
// tjs: transformers.js 4.3.1's tokenizer (@huggingface/tokenizers), encode per text (JavaScript,
//   one thread).
// Legacy folders are converted as make_goldens.js does. Truncation and padding are off; special
// tokens are added. Prints one JSON object like onyx_tokenizers_bench.
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '../..');
const nodeModules = path.join(root, 'tools/node/node_modules');
const { loadTokenizerJson } = require(path.join(root, 'scripts/tokenizers/make_goldens.js'));

function args() {
  const a = { minSeconds: 2.0 };
  for (let i = 2; i + 1 < process.argv.length; i += 2) {
    const k = process.argv[i];
    const v = process.argv[i + 1];
    if (k === '--impl') a.impl = v;
    else if (k === '--tokenizer') a.dir = v;
    else if (k === '--inputs') a.inputs = v;
    else if (k === '--min-seconds') a.minSeconds = Number(v);
    else throw new Error(`unknown argument ${k}`);
  }
  if (!a.impl || !a.dir || !a.inputs) throw new Error('usage: --impl rust|tjs --tokenizer DIR --inputs FILE');
  return a;
}

async function makeRunner(impl, dir) {
  const { json } = loadTokenizerJson(dir);
  json.truncation = null;
  json.padding = null;
  if (impl === 'rust') {
    const { Tokenizer } = require(path.join(nodeModules, 'tokenizers'));
    const tok = Tokenizer.fromString(JSON.stringify(json));
    return async (texts) => {
      const encs = await tok.encodeBatch(texts, { addSpecialTokens: true });
      let n = 0;
      for (const e of encs) n += e.getIds().length;
      return n;
    };
  }
  if (impl === 'tjs') {
    const { Tokenizer } = await import(path.join(nodeModules, '@huggingface/tokenizers/dist/tokenizers.mjs'));
    const cfgFile = path.join(dir, 'tokenizer_config.json');
    const cfg = fs.existsSync(cfgFile) ? JSON.parse(fs.readFileSync(cfgFile, 'utf8')) : {};
    const tok = new Tokenizer(json, cfg);
    return async (texts) => {
      let n = 0;
      for (const t of texts) n += tok.encode(t, { add_special_tokens: true }).ids.length;
      return n;
    };
  }
  throw new Error(`unknown --impl ${impl}`);
}

async function main() {
  const a = args();
  const texts = JSON.parse(fs.readFileSync(a.inputs, 'utf8'));
  const run = await makeRunner(a.impl, a.dir);
  let tokens = await run(texts);  // warm-up
  const start = process.hrtime.bigint();
  let passes = 0;
  let seconds = 0;
  do {
    tokens = await run(texts);
    passes++;
    seconds = Number(process.hrtime.bigint() - start) / 1e9;
  } while (seconds < a.minSeconds);
  console.log(JSON.stringify({ texts: texts.length, tokens, passes, seconds, tokens_per_s: (tokens * passes) / seconds }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
