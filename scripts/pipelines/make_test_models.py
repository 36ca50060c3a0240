"""Small model folders for the pipeline tests (tests/pipelines/data/<name>/), in the Optimum layout:
onnx/model.onnx, config.json, tokenizer.json, tokenizer_config.json, vocab.txt.

The tokenizer is bert-base-uncased's (../shared/tokenizers/bert-base-uncased) with its vocabulary cut to the
special tokens, every single-character token and its '##' form, and the 600 most frequent SST-2 dev words, so
that any text tokenizes and the model stays small. Models come from the plain-PyTorch re-implementations of
transformers in scripts/export_test_models.py with its deterministic random weights.

  distilbert_feature   DistilBertModel (dim 32, 2 layers) -> last_hidden_state: feature-extraction /
                       sentence-embedding (checked against transformers.js by scripts/pipelines/compare_tasks.mjs)
  distilbert_mlm       DistilBertForMaskedLM (same body) -> logits [B, S, vocab]: fill-mask

Usage (Debian's python with python3-torch 1.13; takes a few seconds, output is deterministic):
  /usr/bin/python3 scripts/pipelines/make_test_models.py --out tests/pipelines/data
"""
import argparse
import collections
import json
import os
import sys
import warnings

import onnx
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import export_test_models as etm  # noqa: E402

SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def small_vocab(bert_dir, dev_tsv, words=600):
    full = [l.rstrip("\n") for l in open(os.path.join(bert_dir, "vocab.txt"), encoding="utf-8")]
    freq = collections.Counter()
    with open(dev_tsv, encoding="utf-8") as f:
        next(f)
        for line in f:
            freq.update(line.rsplit("\t", 1)[0].lower().split())
    full_set = set(full)
    chars = [t for t in full if len(t) == 1 or (t.startswith("##") and len(t) == 3)]
    top = [w for w, _ in freq.most_common() if w in full_set and len(w) > 1][:words]
    vocab = []
    for t in SPECIALS + chars + top:
        if t not in vocab:
            vocab.append(t)
    return vocab


def tokenizer_json(bert_dir, vocab):
    t = json.load(open(os.path.join(bert_dir, "tokenizer.json"), encoding="utf-8"))
    ids = {tok: i for i, tok in enumerate(vocab)}
    t["model"]["vocab"] = ids
    t["truncation"] = None
    t["padding"] = None
    for a in t["added_tokens"]:
        a["id"] = ids[a["content"]]
    for name, st in t["post_processor"]["special_tokens"].items():
        st["ids"] = [ids[x] for x in st["tokens"]]
    return t


class DistilBertForMaskedLM(torch.nn.Module):
    """modeling_distilbert.DistilBertForMaskedLM: vocab_transform -> gelu -> vocab_layer_norm -> vocab_projector."""

    def __init__(self, config):
        super().__init__()
        self.distilbert = etm.DistilBertModel(config)
        self.vocab_transform = torch.nn.Linear(config.dim, config.dim)
        self.vocab_layer_norm = torch.nn.LayerNorm(config.dim, eps=1e-12)
        self.vocab_projector = torch.nn.Linear(config.dim, config.vocab_size)

    def forward(self, input_ids, attention_mask):
        h = self.distilbert(input_ids, attention_mask)
        h = torch.nn.functional.gelu(self.vocab_transform(h))
        return self.vocab_projector(self.vocab_layer_norm(h))


def write_folder(out, name, model, config, vocab, tok_json, outputs, opset=14):
    d = os.path.join(out, name)
    os.makedirs(os.path.join(d, "onnx"), exist_ok=True)
    ids = torch.tensor([[2, 7, 8, 3], [2, 9, 3, 0]], dtype=torch.int64)
    mask = (ids != 0).to(torch.int64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (ids, mask), os.path.join(d, "onnx", "model.onnx"),
                          input_names=["input_ids", "attention_mask"], output_names=outputs,
                          dynamic_axes={"input_ids": {0: "batch_size", 1: "sequence_length"},
                                        "attention_mask": {0: "batch_size", 1: "sequence_length"}},
                          opset_version=opset, do_constant_folding=True)
    onnx.checker.check_model(onnx.load(os.path.join(d, "onnx", "model.onnx")))
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(dict(config), f, indent=2, sort_keys=True)
    with open(os.path.join(d, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(tok_json, f, ensure_ascii=False)
    with open(os.path.join(d, "vocab.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(vocab) + "\n")
    with open(os.path.join(d, "tokenizer_config.json"), "w") as f:
        json.dump({"do_lower_case": True, "model_max_length": 64, "tokenizer_class": "BertTokenizer",
                   "cls_token": "[CLS]", "sep_token": "[SEP]", "pad_token": "[PAD]", "unk_token": "[UNK]",
                   "mask_token": "[MASK]"}, f, indent=2)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "tests/pipelines/data"))
    ap.add_argument("--shared", default=os.path.join(ROOT, "..", "shared"))
    a = ap.parse_args()
    torch.set_num_threads(1)
    bert_dir = os.path.join(a.shared, "tokenizers", "bert-base-uncased")
    vocab = small_vocab(bert_dir, os.path.join(a.shared, "data", "sst2", "dev.tsv"))
    tok = tokenizer_json(bert_dir, vocab)

    config = etm.Config(etm.CONFIGS["distilbert"], vocab_size=len(vocab), max_position_embeddings=64)
    torch.manual_seed(7)
    model = etm.DistilBertModel(config)
    etm.randomize_(model, 7)
    model.eval()
    write_folder(a.out, "distilbert_feature", model, config, vocab, tok, ["last_hidden_state"])
    print(f"wrote {a.out}/distilbert_feature (vocab {len(vocab)})")

    mlm_config = etm.Config(config, architectures=["DistilBertForMaskedLM"])
    torch.manual_seed(8)
    mlm = DistilBertForMaskedLM(mlm_config)
    etm.randomize_(mlm, 8)
    with torch.no_grad():  # sharper predictions than the random init, so the top-k order is well separated
        mlm.vocab_projector.weight.mul_(4.0)
    mlm.eval()
    write_folder(a.out, "distilbert_mlm", mlm, mlm_config, vocab, tok, ["logits"])
    print(f"wrote {a.out}/distilbert_mlm")


if __name__ == "__main__":
    main()
