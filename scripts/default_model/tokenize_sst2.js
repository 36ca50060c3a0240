// Tokenizes SST-2 (train + dev) with the reference tokenizer (Hugging Face's Rust `tokenizers`, npm 0.23.2,
// pinned in tools/node) and the bert-base-uncased vocabulary, for training the default model.
//   node scripts/default_model/tokenize_sst2.js OUT_DIR
// Writes OUT_DIR/{train,dev}.jsonl: {"ids": [...], "label": 0|1} per line ([CLS] ... [SEP], no padding,
// truncated to 128 tokens).
const fs = require('fs');
const path = require('path');
const root = path.join(__dirname, '..', '..');
const { Tokenizer } = require(path.join(root, 'tools/node/node_modules/tokenizers'));

async function main() {
  const outDir = process.argv[2];
  if (!outDir) throw new Error('usage: tokenize_sst2.js OUT_DIR');
  fs.mkdirSync(outDir, { recursive: true });
  const tok = Tokenizer.fromFile(path.join(root, '../shared/tokenizers/bert-base-uncased/tokenizer.json'));
  tok.setPadding(null);
  tok.setTruncation(128);
  for (const split of ['train', 'dev']) {
    const lines = fs.readFileSync(path.join(root, `../shared/data/sst2/${split}.tsv`), 'utf8').split('\n').slice(1);
    const rows = lines.filter((l) => l.trim().length > 0).map((l) => {
      const tab = l.lastIndexOf('\t');
      return { text: l.slice(0, tab), label: Number(l.slice(tab + 1)) };
    });
    const out = [];
    const batch = 2048;
    for (let i = 0; i < rows.length; i += batch) {
      const chunk = rows.slice(i, i + batch);
      const encs = await tok.encodeBatch(chunk.map((r) => r.text));
      encs.forEach((e, k) => out.push(JSON.stringify({ ids: Array.from(e.getIds()), label: chunk[k].label })));
    }
    fs.writeFileSync(path.join(outDir, `${split}.jsonl`), out.join('\n') + '\n');
    console.log(`${split}: ${out.length} sentences -> ${path.join(outDir, split + '.jsonl')}`);
  }
}
main().catch((e) => { console.error(e.message); process.exit(1); });
