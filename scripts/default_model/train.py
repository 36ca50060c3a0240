#!/usr/bin/python3
"""Train onyx's embedded default model: a small DistilBertForSequenceClassification on SST-2.

    node scripts/default_model/tokenize_sst2.js /tmp/sst2-tokens        # reference tokenizer -> ids
    /usr/bin/python3 scripts/default_model/train.py --tokens /tmp/sst2-tokens --out models/distilbert-sst2-tiny

Architecture: the DistilBERT forward pass of scripts/export_test_models.py (a faithful re-implementation of
Hugging Face's modeling_distilbert.py), bert-base-uncased WordPiece vocabulary (30,522 ids), trained from
scratch (no pretrained weights are available offline) on ../shared/data/sst2/train.tsv, CPU only, seeded.
Writes the model folder in the layout Hugging Face / Optimum / transformers.js use:
    onnx/model.onnx, config.json, tokenizer.json, tokenizer_config.json, special_tokens_map.json, vocab.txt
The dev accuracy printed here is PyTorch's; the model card quotes `onyx eval`.
"""

import argparse
import json
import math
import os
import random
import shutil
import sys
import time

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from export_test_models import Config, DistilBertForSequenceClassification  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SHARED_TOKENIZER = os.path.join(ROOT, "..", "shared", "tokenizers", "bert-base-uncased")


def load_jsonl(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def batches(rows, batch_size, shuffle, rng):
    """Length-bucketed batches: sort by length in chunks so padding stays small, then shuffle batch order."""
    order = list(range(len(rows)))
    if shuffle:
        rng.shuffle(order)
    chunk = batch_size * 50
    out = []
    for s in range(0, len(order), chunk):
        part = sorted(order[s:s + chunk], key=lambda i: len(rows[i]["ids"]))
        out.extend(part[k:k + batch_size] for k in range(0, len(part), batch_size))
    if shuffle:
        rng.shuffle(out)
    for idx in out:
        width = max(len(rows[i]["ids"]) for i in idx)
        ids = torch.zeros((len(idx), width), dtype=torch.long)
        mask = torch.zeros((len(idx), width), dtype=torch.long)
        for r, i in enumerate(idx):
            n = len(rows[i]["ids"])
            ids[r, :n] = torch.tensor(rows[i]["ids"])
            mask[r, :n] = 1
        labels = torch.tensor([rows[i]["label"] for i in idx])
        yield ids, mask, labels


def evaluate(model, rows):
    model.eval()
    correct = 0
    with torch.no_grad():
        for ids, mask, labels in batches(rows, 64, False, None):
            correct += (model(ids, mask).argmax(-1) == labels).sum().item()
    model.train()
    return correct / len(rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tokens", required=True, help="folder with train.jsonl/dev.jsonl from tokenize_sst2.js")
    ap.add_argument("--out", required=True, help="model folder to write")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--dim", type=int, default=64)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--hidden-dim", type=int, default=256)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--dropout", type=float, default=0.2)
    ap.add_argument("--weight-decay", type=float, default=0.01)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()

    torch.manual_seed(args.seed)
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.set_num_threads(args.threads)
    rng = random.Random(args.seed)

    train = load_jsonl(os.path.join(args.tokens, "train.jsonl"))
    dev = load_jsonl(os.path.join(args.tokens, "dev.jsonl"))
    config = Config(
        activation="gelu", architectures=["DistilBertForSequenceClassification"], attention_dropout=args.dropout,
        dim=args.dim, dropout=args.dropout, hidden_dim=args.hidden_dim, id2label={"0": "NEGATIVE", "1": "POSITIVE"},
        label2id={"NEGATIVE": 0, "POSITIVE": 1}, initializer_range=0.02, max_position_embeddings=128,
        model_type="distilbert", n_heads=args.heads, n_layers=args.layers, pad_token_id=0, qa_dropout=0.1,
        seq_classif_dropout=0.2, sinusoidal_pos_embds=False, tie_weights_=True, vocab_size=30522,
        problem_type="single_label_classification", finetuning_task="sst-2", transformers_version="4.30.0")
    model = DistilBertForSequenceClassification(config)
    for m in model.modules():  # HF's _init_weights
        if isinstance(m, nn.Linear):
            m.weight.data.normal_(0.0, config.initializer_range)
            m.bias.data.zero_()
        elif isinstance(m, nn.Embedding):
            m.weight.data.normal_(0.0, config.initializer_range)
            m.weight.data[config.pad_token_id].zero_()
    params = sum(p.numel() for p in model.parameters())
    print(f"model: {params:,} parameters; train {len(train)} / dev {len(dev)} sentences", flush=True)

    steps_per_epoch = math.ceil(len(train) / args.batch_size)
    total = steps_per_epoch * args.epochs
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / (0.06 * total)) * max(0.0, (total - s) / total))
    loss_fn = nn.CrossEntropyLoss()
    start = time.time()
    step = 0
    model.train()
    for epoch in range(args.epochs):
        for ids, mask, labels in batches(train, args.batch_size, True, rng):
            loss = loss_fn(model(ids, mask), labels)
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            step += 1
            if step % 200 == 0:
                print(f"epoch {epoch + 1} step {step}/{total} loss {loss.item():.4f} "
                      f"({time.time() - start:.0f}s)", file=sys.stderr, flush=True)
        print(f"epoch {epoch + 1}: dev accuracy (PyTorch) {evaluate(model, dev):.4f} "
              f"({time.time() - start:.0f}s)", flush=True)

    model.eval()
    os.makedirs(os.path.join(args.out, "onnx"), exist_ok=True)
    ids = torch.tensor([[101, 2023, 3185, 2003, 2307, 999, 102]])
    mask = torch.ones_like(ids)
    torch.onnx.export(
        model, (ids, mask), os.path.join(args.out, "onnx", "model.onnx"),
        input_names=["input_ids", "attention_mask"], output_names=["logits"],
        dynamic_axes={"input_ids": {0: "batch_size", 1: "sequence_length"},
                      "attention_mask": {0: "batch_size", 1: "sequence_length"}, "logits": {0: "batch_size"}},
        opset_version=14, do_constant_folding=True)
    with open(os.path.join(args.out, "config.json"), "w") as f:
        json.dump(dict(config), f, indent=2, sort_keys=True)
        f.write("\n")
    # Tokenizer: bert-base-uncased's files; tokenizer.json without the fixed padding/truncation that the shared
    # copy carries (as distilbert-base-uncased's own tokenizer.json has none).
    with open(os.path.join(SHARED_TOKENIZER, "tokenizer.json")) as f:
        tok = json.load(f)
    tok["padding"] = None
    tok["truncation"] = None
    with open(os.path.join(args.out, "tokenizer.json"), "w") as f:
        json.dump(tok, f, ensure_ascii=False, separators=(",", ":"))
    for name in ("vocab.txt", "special_tokens_map.json"):
        shutil.copyfile(os.path.join(SHARED_TOKENIZER, name), os.path.join(args.out, name))
    with open(os.path.join(SHARED_TOKENIZER, "tokenizer_config.json")) as f:
        tok_config = json.load(f)
    tok_config["tokenizer_class"] = "DistilBertTokenizer"
    tok_config["model_max_length"] = config.max_position_embeddings
    with open(os.path.join(args.out, "tokenizer_config.json"), "w") as f:
        json.dump(tok_config, f, indent=2, sort_keys=True)
        f.write("\n")
    print(f"wrote {args.out} in {time.time() - start:.0f}s; final dev accuracy (PyTorch) {evaluate(model, dev):.4f}")


if __name__ == "__main__":
    main()
