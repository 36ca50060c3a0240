#!/usr/bin/python3
"""Build the DistilBERT-base-shaped benchmark model of bench/compare (random weights, deterministic).

    /usr/bin/python3 bench/compare/make_model.py [--out bench/compare/models/distilbert-base-random] [--force]

Shape: DistilBERT-base with a 2-label SST-2 head (6 layers, dim 768, 12 heads, FFN 3072, vocab 30522, 512
positions), built with the plain-PyTorch DistilBERT of scripts/test_models/distilbert.py (the same modules the
test models use), weights filled by export_test_models.randomize_ with a fixed seed. Writes a model folder:

    model.onnx          torch.onnx.export, opset 14, constant folding, dynamic batch/sequence axes
    pytorch_model.bin   the same weights (state_dict) for the PyTorch eager runner
    config.json         HF-style config (model_type distilbert, id2label NEGATIVE/POSITIVE)
    tokenizer files     ../shared/tokenizers/bert-base-uncased (DistilBERT's vocab), fixed padding cleared

Skips the export when the folder already holds a model built by this script with the same settings (the
settings are stored in config.json under "bench_compare"), unless --force.
"""

import argparse
import json
import os
import shutil
import sys
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "scripts"))

import torch  # noqa: E402

from export_test_models import randomize_  # noqa: E402
from test_models.common import Config  # noqa: E402
from test_models.distilbert import DistilBertForSequenceClassification  # noqa: E402

SEED = 6  # issue #6
OPSET = 14
CONFIG = Config(model_type="distilbert", architectures=["DistilBertForSequenceClassification"], vocab_size=30522,
                dim=768, n_layers=6, n_heads=12, hidden_dim=3072, activation="gelu", max_position_embeddings=512,
                dropout=0.1, attention_dropout=0.1, seq_classif_dropout=0.2, sinusoidal_pos_embds=False,
                initializer_range=0.02, pad_token_id=0, id2label={"0": "NEGATIVE", "1": "POSITIVE"},
                label2id={"NEGATIVE": 0, "POSITIVE": 1})
STAMP = {"seed": SEED, "opset": OPSET, "generator": "bench/compare/make_model.py", "version": 1}
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt")


def write_tokenizer(src_dir, out_dir):
    """Copies the bert-base-uncased tokenizer files. The shared tokenizer.json carries sentence-transformers'
    padding Fixed(128) / truncation 128 (../shared/tokenizers/README.md); distilbert-base-uncased's own
    tokenizer.json has both null, so they are cleared here: batches pad to their longest row, as users batch."""
    for name in TOKENIZER_FILES:
        src = os.path.join(src_dir, name)
        if not os.path.exists(src):
            continue
        if name == "tokenizer.json":
            with open(src, encoding="utf-8") as f:
                tok = json.load(f)
            tok["padding"] = None
            tok["truncation"] = None
            with open(os.path.join(out_dir, name), "w", encoding="utf-8") as f:
                json.dump(tok, f, ensure_ascii=False)
        else:
            shutil.copyfile(src, os.path.join(out_dir, name))


def build():
    """The benchmark model in eval mode (also used by run_torch.py, which then loads pytorch_model.bin)."""
    torch.manual_seed(SEED)
    model = DistilBertForSequenceClassification(CONFIG)
    model.eval()
    return model


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=os.path.join(HERE, "models", "distilbert-base-random"))
    ap.add_argument("--tokenizer", default=os.path.join(ROOT, "..", "shared", "tokenizers", "bert-base-uncased"))
    ap.add_argument("--force", action="store_true", help="rebuild even if the folder is up to date")
    args = ap.parse_args()

    cfg_path = os.path.join(args.out, "config.json")
    os.makedirs(args.out, exist_ok=True)
    write_tokenizer(args.tokenizer, args.out)
    if not args.force and os.path.exists(os.path.join(args.out, "model.onnx")) and os.path.exists(cfg_path):
        with open(cfg_path) as f:
            if json.load(f).get("bench_compare") == STAMP:
                print(f"{args.out}: up to date")
                return 0
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    model = build()
    randomize_(model, SEED)
    ids = torch.randint(1000, 2000, (1, 16), generator=torch.Generator().manual_seed(SEED))
    mask = torch.ones_like(ids)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (ids, mask), os.path.join(args.out, "model.onnx"),
                          input_names=["input_ids", "attention_mask"], output_names=["logits"],
                          dynamic_axes={"input_ids": {0: "batch_size", 1: "sequence_length"},
                                        "attention_mask": {0: "batch_size", 1: "sequence_length"},
                                        "logits": {0: "batch_size"}},
                          opset_version=OPSET, do_constant_folding=True)
    torch.save(model.state_dict(), os.path.join(args.out, "pytorch_model.bin"))
    with open(cfg_path, "w") as f:
        json.dump(dict(CONFIG, torch_dtype="float32", onnx_opset=OPSET, bench_compare=STAMP), f, indent=2,
                  sort_keys=True)
        f.write("\n")
    with torch.inference_mode():
        logits = model(ids, mask)
    print(f"wrote {args.out}: model.onnx {os.path.getsize(os.path.join(args.out, 'model.onnx')) / 2**20:.1f} MiB, "
          f"logits of a 16-token probe {logits.numpy().round(4).tolist()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
