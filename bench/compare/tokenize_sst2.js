#!/usr/bin/env node
// Tokenizes the SST-2 dev sentences for bench/compare's throughput run with the Hugging Face reference tokenizer
// (the Rust `tokenizers` 0.23.2 npm binding), into batches in file order, each padded on the right to its longest
// row, as users batch:
//
//   node bench/compare/tokenize_sst2.js --data ../shared/data/sst2/dev.tsv \
//        --tokenizer ../shared/tokenizers/bert-base-uncased/tokenizer.json --batch 32 --out sst2_batches.json
//
// Output: {"sentences", "batch", "real_tokens", "padded_tokens", "batches": [{"input_ids": [[...]],
// "attention_mask": [[...]]}, ...]}. The PyTorch and ONNX Runtime runners read it; onyx tokenizes the same file
// itself (onyx bench --file) and bench/compare checks its token counts against these.
'use strict';

const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..', '..');
process.env.NODE_PATH = path.join(root, 'tools', 'node', 'node_modules');
require('module').Module._initPaths();
const {Tokenizer} = require('tokenizers');

async function main() {
  const args = {batch: 32};
  const argv = process.argv.slice(2);
  for (let i = 0; i + 1 < argv.length; i += 2) args[argv[i].replace(/^--/, '')] = argv[i + 1];
  for (const k of ['data', 'tokenizer', 'out']) if (!args[k]) throw new Error(`--${k} is required`);
  const batchSize = Number(args.batch);
  // Same reading rule as `onyx bench --file`: first TSV column, header line "sentence<TAB>..." skipped.
  const lines = fs.readFileSync(args.data, 'utf8').split('\n').map((l) => l.replace(/\r$/, ''));
  const sentences = [];
  lines.forEach((l, i) => {
    const tab = l.indexOf('\t');
    const s = tab >= 0 ? l.slice(0, tab) : l;
    if (i === 0 && tab >= 0 && s.startsWith('sentence')) return;
    if (s.length > 0) sentences.push(s);
  });
  const tok = Tokenizer.fromFile(args.tokenizer);
  const out = {sentences: sentences.length, batch: batchSize, real_tokens: 0, padded_tokens: 0, batches: []};
  for (let b = 0; b < sentences.length; b += batchSize) {
    const ids = [];
    for (const s of sentences.slice(b, b + batchSize)) ids.push(Array.from((await tok.encode(s)).getIds()));
    const width = Math.max(...ids.map((r) => r.length));
    out.batches.push({
      input_ids: ids.map((r) => r.concat(new Array(width - r.length).fill(0))),
      attention_mask: ids.map((r) => new Array(r.length).fill(1).concat(new Array(width - r.length).fill(0))),
    });
    out.real_tokens += ids.reduce((a, r) => a + r.length, 0);
    out.padded_tokens += ids.length * width;
  }
  fs.writeFileSync(args.out, JSON.stringify(out));
  console.error(`tokenize_sst2.js: ${out.sentences} sentences, ${out.batches.length} batches of <= ${batchSize}, ` +
                `${out.real_tokens} tokens (${out.padded_tokens} padded)`);
}

main().catch((e) => {
  console.error(`tokenize_sst2.js: ${e.message}`);
  process.exit(1);
});
