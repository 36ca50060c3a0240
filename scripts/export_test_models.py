#!/usr/bin/python3
"""Export the tiny random Transformer test models of tests/models/data, with PyTorch reference outputs.

Usage (Debian's python3-torch 1.13, python3-onnx 1.12, python3-numpy; nothing else needed):

    /usr/bin/python3 scripts/export_test_models.py --out tests/models/data

For each architecture family (scripts/test_models/, one module per family) this script builds a plain-PyTorch
re-implementation of the Hugging Face `transformers` model (same operations in the same order as the HF modeling
code, so the exported graphs have the shapes of real Optimum exports), with a tiny seeded random config, and writes:

    <out>/<model>_opset<N>/model.onnx              torch.onnx.export, opset 14 and 17, constant folding on,
                                                   Optimum's input/output names and dynamic axes
    <out>/<model>_opset<N>/config.json             the tiny config, HF-style keys (model_type, ...)
    <out>/<model>_opset<N>/case_<case>/input_<name>.npy    inputs (int64 ids/masks, float32 past key/values)
    <out>/<model>_opset<N>/case_<case>/output_<name>.npy   PyTorch outputs (eval mode, float32)
    <out>/manifest.json                            every model, its inputs/outputs, cases, and per-row slices
                                                   for the batched == one-by-one check of case batch3_padded

Everything is seeded: rerunning the script reproduces the same files byte for byte. The script also checks every
export with onnx.checker, checks in PyTorch that each batch3_padded row run alone equals the batched output on
its valid positions, and prints a histogram of the ONNX op types across all exported models.
"""

import argparse
import collections
import json
import math
import os
import shutil
import sys
import warnings

import numpy as np
import onnx
import torch
from torch import nn

from test_models.albert import AlbertModel
from test_models.bert import (BertFeatureExtraction, BertForSequenceClassification, ElectraModel,
                              RobertaFeatureExtraction)
from test_models.bert_variants import BertVariantFeatureExtraction
from test_models.common import Config
from test_models.distilbert import DistilBertForSequenceClassification, DistilBertModel
from test_models.gpt2 import Conv1D, GPT2NoPast, GPT2WithPast
from test_models.mpnet import MPNetModel
from test_models.t5 import T5EncoderModel, T5LayerNorm

OPSETS = (14, 17)



# ----------------------------------------------------------------------------------------------------------------
# Tiny configs (HF-style keys; written as config.json)
# ----------------------------------------------------------------------------------------------------------------

DROPOUT_KEYS = {"hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1}


def bert_config(**kw):
    c = dict(model_type="bert", vocab_size=120, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
             intermediate_size=37, hidden_act="gelu", max_position_embeddings=128, type_vocab_size=2,
             initializer_range=0.02, layer_norm_eps=1e-12, pad_token_id=0, position_embedding_type="absolute",
             **DROPOUT_KEYS)
    c.update(kw)
    return Config(c)


def roberta_config(**kw):
    c = dict(model_type="roberta", vocab_size=150, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
             intermediate_size=48, hidden_act="gelu", max_position_embeddings=130, type_vocab_size=1,
             initializer_range=0.02, layer_norm_eps=1e-5, pad_token_id=1, bos_token_id=0, eos_token_id=2,
             position_embedding_type="absolute", **DROPOUT_KEYS)
    c.update(kw)
    return Config(c)


CONFIGS = {
    "bert": bert_config(architectures=["BertModel"]),
    "bert_seqcls": bert_config(architectures=["BertForSequenceClassification"],
                               id2label={"0": "NEGATIVE", "1": "NEUTRAL", "2": "POSITIVE"},
                               label2id={"NEGATIVE": 0, "NEUTRAL": 1, "POSITIVE": 2}),
    "distilbert": Config(model_type="distilbert", architectures=["DistilBertModel"], vocab_size=110, dim=32,
                         n_layers=2, n_heads=4, hidden_dim=40, activation="gelu", max_position_embeddings=128,
                         dropout=0.1, attention_dropout=0.1, seq_classif_dropout=0.2, sinusoidal_pos_embds=False,
                         initializer_range=0.02, pad_token_id=0),
    "roberta": roberta_config(architectures=["RobertaModel"]),
    "xlm_roberta": roberta_config(model_type="xlm-roberta", architectures=["XLMRobertaModel"], vocab_size=250,
                                  num_attention_heads=4, intermediate_size=64, num_hidden_layers=3),
    "electra": bert_config(model_type="electra", architectures=["ElectraModel"], vocab_size=100, embedding_size=16,
                           intermediate_size=64, summary_type="first"),
    "albert": bert_config(model_type="albert", architectures=["AlbertModel"], vocab_size=130, embedding_size=16,
                          num_hidden_layers=3, num_hidden_groups=1, inner_group_num=1, intermediate_size=48,
                          hidden_act="gelu_new", layer_norm_eps=1e-12, pad_token_id=0, bos_token_id=2,
                          eos_token_id=3, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0),
    "mpnet": Config(model_type="mpnet", architectures=["MPNetModel"], vocab_size=140, hidden_size=32,
                    num_hidden_layers=2, num_attention_heads=4, intermediate_size=37, hidden_act="gelu",
                    max_position_embeddings=130, initializer_range=0.02, layer_norm_eps=1e-5,
                    relative_attention_num_buckets=32, pad_token_id=1, bos_token_id=0, eos_token_id=2,
                    **DROPOUT_KEYS),
    "t5_encoder": Config(model_type="t5", architectures=["T5EncoderModel"], vocab_size=200, d_model=32, d_kv=8,
                         d_ff=37, num_layers=2, num_heads=4, relative_attention_num_buckets=32,
                         relative_attention_max_distance=128, dropout_rate=0.1, layer_norm_epsilon=1e-6,
                         initializer_factor=1.0, feed_forward_proj="relu", dense_act_fn="relu", is_gated_act=False,
                         is_encoder_decoder=True, pad_token_id=0, eos_token_id=1, decoder_start_token_id=0),
    "t5_gated_encoder": Config(model_type="t5", architectures=["T5EncoderModel"], vocab_size=200, d_model=32,
                               d_kv=8, d_ff=40, num_layers=2, num_heads=4, relative_attention_num_buckets=32,
                               relative_attention_max_distance=128, dropout_rate=0.1, layer_norm_epsilon=1e-6,
                               initializer_factor=1.0, feed_forward_proj="gated-gelu", dense_act_fn="gelu_new",
                               is_gated_act=True, is_encoder_decoder=True, pad_token_id=0, eos_token_id=1,
                               decoder_start_token_id=0),
    "gpt2": Config(model_type="gpt2", architectures=["GPT2LMHeadModel"], vocab_size=160, n_positions=128,
                   n_embd=32, n_layer=2, n_head=4, n_inner=None, activation_function="gelu_new",
                   resid_pdrop=0.1, embd_pdrop=0.1, attn_pdrop=0.1, layer_norm_epsilon=1e-5, initializer_range=0.02,
                   scale_attn_weights=True, use_cache=True, bos_token_id=0, eos_token_id=0,
                   tie_word_embeddings=True),
}
CONFIGS["distilbert_seqcls"] = Config(CONFIGS["distilbert"], architectures=["DistilBertForSequenceClassification"],
                                     id2label={"0": "NEGATIVE", "1": "POSITIVE"},
                                     label2id={"NEGATIVE": 0, "POSITIVE": 1})
CONFIGS["gpt2_past"] = Config(CONFIGS["gpt2"])
# BERT with the attention-mask paths of other exporters (test_models/bert_variants.py), for the attention fusion.
for _name, _variant in (("bert_mask10000", "mask_10000"), ("bert_boolmask", "bool_mask"), ("bert_sdpa", "sdpa"),
                         ("bert_bidir_mask", "bidir_mask")):
    CONFIGS[_name] = bert_config(architectures=["BertModel"], attention_variant=_variant)
# GPT-2's config uses n_* names; HF maps them through attribute_map. Keep both so the model code reads hidden_size.
for _name in ("gpt2", "gpt2_past"):
    _c = CONFIGS[_name]
    _c.update(hidden_size=_c["n_embd"], num_hidden_layers=_c["n_layer"], num_attention_heads=_c["n_head"],
              max_position_embeddings=_c["n_positions"])
HF_ATTRIBUTE_MAP_KEYS = {"hidden_size", "num_hidden_layers", "num_attention_heads", "max_position_embeddings"}


# ----------------------------------------------------------------------------------------------------------------
# Model table: how to build, which inputs/outputs (Optimum names), dynamic axes, and how to make case inputs
# ----------------------------------------------------------------------------------------------------------------


class Spec:
    def __init__(self, name, build, task, inputs, outputs, tokens, seed, past=False):
        self.name = name
        self.build = build
        self.task = task
        self.inputs = inputs      # ordered input names
        self.outputs = outputs    # ordered output names
        self.tokens = tokens      # dict: pad, bos, eos, vocab_lo (first "ordinary" id)
        self.seed = seed
        self.past = past

    @property
    def config(self):
        return CONFIGS[self.name]


BERT_TOKENS = dict(pad=0, bos=2, eos=3, lo=5)       # [PAD]=0 ... [CLS]=2 [SEP]=3 (tiny vocab layout)
ROBERTA_TOKENS = dict(pad=1, bos=0, eos=2, lo=4)    # <s>=0 <pad>=1 </s>=2
T5_TOKENS = dict(pad=0, bos=None, eos=1, lo=3)      # <pad>=0 </s>=1, no BOS
GPT2_TOKENS = dict(pad=0, bos=None, eos=None, lo=1)  # GPT-2 has no pad token; padding uses id 0 (= <|endoftext|>)

ENC3 = ["input_ids", "attention_mask", "token_type_ids"]
ENC2 = ["input_ids", "attention_mask"]

SPECS = [
    Spec("bert", BertFeatureExtraction, "feature-extraction", ENC3, ["last_hidden_state"], BERT_TOKENS, 1),
    Spec("bert_seqcls", BertForSequenceClassification, "text-classification", ENC3, ["logits"], BERT_TOKENS, 2),
    Spec("distilbert", lambda c: DistilBertModel(c), "feature-extraction", ENC2, ["last_hidden_state"],
         BERT_TOKENS, 3),
    Spec("distilbert_seqcls", DistilBertForSequenceClassification, "text-classification", ENC2, ["logits"],
         BERT_TOKENS, 4),
    Spec("roberta", RobertaFeatureExtraction, "feature-extraction", ENC2, ["last_hidden_state"], ROBERTA_TOKENS, 5),
    Spec("xlm_roberta", RobertaFeatureExtraction, "feature-extraction", ENC2, ["last_hidden_state"],
         ROBERTA_TOKENS, 6),
    Spec("electra", ElectraModel, "feature-extraction", ENC3, ["last_hidden_state"], BERT_TOKENS, 7),
    Spec("albert", AlbertModel, "feature-extraction", ENC3, ["last_hidden_state"], BERT_TOKENS, 8),
    Spec("mpnet", MPNetModel, "feature-extraction", ENC2, ["last_hidden_state"], ROBERTA_TOKENS, 9),
    Spec("t5_encoder", T5EncoderModel, "feature-extraction", ENC2, ["last_hidden_state"], T5_TOKENS, 10),
    Spec("t5_gated_encoder", T5EncoderModel, "feature-extraction", ENC2, ["last_hidden_state"], T5_TOKENS, 11),
    Spec("gpt2", GPT2NoPast, "text-generation", ENC2, ["logits"], GPT2_TOKENS, 12),
    Spec("gpt2_past", GPT2WithPast, "text-generation-with-past",
         ["input_ids", "attention_mask", "position_ids"]
         + [f"past_key_values.{i}.{kv}" for i in range(2) for kv in ("key", "value")],
         ["logits"] + [f"present.{i}.{kv}" for i in range(2) for kv in ("key", "value")], GPT2_TOKENS, 13,
         past=True),
    Spec("bert_mask10000", BertVariantFeatureExtraction, "feature-extraction", ENC3, ["last_hidden_state"],
         BERT_TOKENS, 14),
    Spec("bert_boolmask", BertVariantFeatureExtraction, "feature-extraction", ENC3, ["last_hidden_state"],
         BERT_TOKENS, 15),
    Spec("bert_sdpa", BertVariantFeatureExtraction, "feature-extraction", ENC3, ["last_hidden_state"], BERT_TOKENS,
         16),
    Spec("bert_bidir_mask", BertVariantFeatureExtraction, "feature-extraction", ENC3, ["last_hidden_state"],
         BERT_TOKENS, 17),
]


def randomize_(model, seed):
    """Deterministic random weights with non-trivial biases and norm scales (HF's init leaves biases at 0 and norm
    weights at 1, which would hide bugs in bias/scale handling). Padding embedding rows stay zero as in HF."""
    g = torch.Generator().manual_seed(seed + 1000)
    seen = set()

    def fill_(p, values):
        if id(p) not in seen:  # tied weights (GPT-2 lm_head = wte) are filled once
            seen.add(id(p))
            p.copy_(values)

    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.Embedding):
                fill_(m.weight, 0.5 * torch.randn(m.weight.shape, generator=g))
                if m.padding_idx is not None:
                    m.weight[m.padding_idx].zero_()
            elif isinstance(m, (nn.Linear, Conv1D)):
                fan_in = m.weight.shape[0] if isinstance(m, Conv1D) else m.weight.shape[1]
                fill_(m.weight, torch.randn(m.weight.shape, generator=g) / math.sqrt(fan_in))
                if m.bias is not None:
                    fill_(m.bias, 0.1 * torch.randn(m.bias.shape, generator=g))
            elif isinstance(m, (nn.LayerNorm, T5LayerNorm)):
                fill_(m.weight, 1.0 + 0.2 * torch.randn(m.weight.shape, generator=g))
                if getattr(m, "bias", None) is not None:
                    fill_(m.bias, 0.1 * torch.randn(m.bias.shape, generator=g))


def build_model(spec):
    torch.manual_seed(spec.seed)
    model = spec.build(spec.config)
    randomize_(model, spec.seed)
    model.eval()
    return model


# ----------------------------------------------------------------------------------------------------------------
# Cases
# ----------------------------------------------------------------------------------------------------------------


def encoder_ids(rng, spec, length):
    """A token row of `length` tokens: [BOS] body [EOS] where the tokenizer would add them."""
    t = spec.tokens
    vocab = spec.config.vocab_size
    body_len = length - (t["bos"] is not None) - (t["eos"] is not None)
    ids = list(rng.integers(t["lo"], vocab, size=body_len))
    if t["bos"] is not None:
        ids = [t["bos"]] + ids
    if t["eos"] is not None:
        ids = ids + [t["eos"]]
    return ids


def encoder_batch(rng, spec, lengths, seq_len):
    """Right-padded batch: input_ids (pad id on padding), attention_mask, token_type_ids (segment A then B)."""
    b = len(lengths)
    ids = np.full((b, seq_len), spec.tokens["pad"], dtype=np.int64)
    mask = np.zeros((b, seq_len), dtype=np.int64)
    types = np.zeros((b, seq_len), dtype=np.int64)
    for r, n in enumerate(lengths):
        ids[r, :n] = encoder_ids(rng, spec, n)
        mask[r, :n] = 1
        types[r, n // 2:n] = 1  # sentence pair: second half is segment B
    out = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
    return {k: out[k] for k in spec.inputs}


def encoder_cases(rng, spec):
    """(case name, inputs, rows) where rows describes per-row slices for the batched == one-by-one check."""
    cases = [("batch1", encoder_batch(rng, spec, [7], 7), None)]
    lengths = [9, 4, 6]
    inputs = encoder_batch(rng, spec, lengths, max(lengths))
    rows = []
    for r, n in enumerate(lengths):
        rows.append({
            "row": r, "length": n,
            "inputs": {name: {"axis": 1, "start": 0, "end": n} for name in spec.inputs},
            # logits of a classifier have no sequence axis: compare the whole row
            "outputs": {name: (None if spec.task == "text-classification" else {"axis": 1, "start": 0, "end": n})
                        for name in spec.outputs},
        })
    cases.append(("batch3_padded", inputs, rows))
    cases.append(("long", encoder_batch(rng, spec, [96, 96], 96), None))
    return cases


def gpt2_past_case(rng, spec, prefix_model, past_lengths, new_len):
    """Left-padded past (computed by running the model on each row's prefix alone, garbage on the padding columns),
    new_len new tokens per row (all valid), attention_mask = [past mask, ones], position_ids continue each row."""
    cfg = spec.config
    b = len(past_lengths)
    p_max = max(past_lengths)
    n_layers, n_heads = cfg.num_hidden_layers, cfg.num_attention_heads
    head_dim = cfg.hidden_size // n_heads
    past = [np.zeros((b, n_heads, p_max, head_dim), dtype=np.float32) for _ in range(2 * n_layers)]
    for r, p in enumerate(past_lengths):
        prefix = torch.from_numpy(rng.integers(spec.tokens["lo"], cfg.vocab_size, size=(1, p)).astype(np.int64))
        with torch.no_grad():
            _, presents = prefix_model(prefix, attention_mask=torch.ones_like(prefix), use_cache=True)
        for i, (k, v) in enumerate(presents):
            for j, t in enumerate((k, v)):
                # Padding columns hold arbitrary values (as real left-padded caches do); the mask must hide them.
                past[2 * i + j][r, :, :p_max - p] = rng.standard_normal((n_heads, p_max - p, head_dim))
                past[2 * i + j][r, :, p_max - p:] = t[0].numpy()
    mask = np.zeros((b, p_max + new_len), dtype=np.int64)
    pos = np.zeros((b, new_len), dtype=np.int64)
    for r, p in enumerate(past_lengths):
        mask[r, p_max - p:] = 1
        pos[r] = np.arange(p, p + new_len)
    inputs = {
        "input_ids": rng.integers(spec.tokens["lo"], cfg.vocab_size, size=(b, new_len)).astype(np.int64),
        "attention_mask": mask,
        "position_ids": pos,
    }
    for i in range(n_layers):
        inputs[f"past_key_values.{i}.key"] = past[2 * i]
        inputs[f"past_key_values.{i}.value"] = past[2 * i + 1]
    rows = []
    for r, p in enumerate(past_lengths):
        row_in = {"input_ids": None, "position_ids": None,
                  "attention_mask": {"axis": 1, "start": p_max - p, "end": p_max + new_len}}
        for i in range(n_layers):
            for kv in ("key", "value"):
                row_in[f"past_key_values.{i}.{kv}"] = {"axis": 2, "start": p_max - p, "end": p_max}
        row_out = {"logits": None}
        for i in range(n_layers):
            for kv in ("key", "value"):
                row_out[f"present.{i}.{kv}"] = {"axis": 2, "start": p_max - p, "end": p_max + new_len}
        rows.append({"row": r, "length": p + new_len, "past_length": p, "new_length": new_len,
                     "inputs": row_in, "outputs": row_out})
    return inputs, rows


def gpt2_past_cases(rng, spec, model):
    prefix_model = model.model
    b1, _ = gpt2_past_case(rng, spec, prefix_model, [5], 2)
    b3, rows = gpt2_past_case(rng, spec, prefix_model, [6, 3, 4], 1)
    lg, _ = gpt2_past_case(rng, spec, prefix_model, [80, 80], 16)
    return [("batch1", b1, None), ("batch3_padded", b3, rows), ("long", lg, None)]


def make_cases(spec, model):
    rng = np.random.default_rng(spec.seed)
    if spec.past:
        return gpt2_past_cases(rng, spec, model)
    return encoder_cases(rng, spec)


def run_torch(model, spec, inputs):
    args = tuple(torch.from_numpy(inputs[n]) for n in spec.inputs)
    with torch.no_grad():
        out = model(*args)
    if not isinstance(out, tuple):
        out = (out,)
    assert len(out) == len(spec.outputs), (spec.name, len(out))
    return {n: o.detach().numpy().astype(np.float32) for n, o in zip(spec.outputs, out)}


def slice_axis(a, sl):
    if sl is None:
        return a
    idx = [slice(None)] * a.ndim
    idx[sl["axis"]] = slice(sl["start"], sl["end"])
    return a[tuple(idx)]


def check_rows(model, spec, inputs, outputs, rows):
    """Each batch3_padded row run alone (trimmed) must equal the batched output on its valid positions."""
    worst = 0.0
    for row in rows:
        r = row["row"]
        row_inputs = {n: np.ascontiguousarray(slice_axis(inputs[n][r:r + 1], row["inputs"][n])) for n in spec.inputs}
        row_outputs = run_torch(model, spec, row_inputs)
        for n in spec.outputs:
            want = slice_axis(outputs[n][r:r + 1], row["outputs"][n])
            got = row_outputs[n]
            assert want.shape == got.shape, (spec.name, n, want.shape, got.shape)
            worst = max(worst, float(np.abs(want - got).max()))
    if worst > 1e-5:
        raise SystemExit(f"{spec.name}: batched != one-by-one in PyTorch (max abs {worst:.3g}); the case is ill-defined")
    return worst


# ----------------------------------------------------------------------------------------------------------------
# Export
# ----------------------------------------------------------------------------------------------------------------


def dynamic_axes(spec):
    axes = {}
    for n in spec.inputs:
        if n.startswith("past_key_values."):
            axes[n] = {0: "batch_size", 2: "past_sequence_length"}
        elif n == "attention_mask" and spec.past:
            axes[n] = {0: "batch_size", 1: "past_sequence_length + sequence_length"}
        else:
            axes[n] = {0: "batch_size", 1: "sequence_length"}
    for n in spec.outputs:
        if n.startswith("present."):
            axes[n] = {0: "batch_size", 2: "past_sequence_length + sequence_length"}
        elif spec.task == "text-classification":
            axes[n] = {0: "batch_size"}
        else:
            axes[n] = {0: "batch_size", 1: "sequence_length"}
    return axes


def export_onnx(model, spec, sample_inputs, path, opset):
    args = tuple(torch.from_numpy(sample_inputs[n]) for n in spec.inputs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # TracerWarnings about python ints in HF-style shape code are expected
        torch.onnx.export(model, args, path, input_names=spec.inputs, output_names=spec.outputs,
                          dynamic_axes=dynamic_axes(spec), opset_version=opset, do_constant_folding=True,
                          export_params=True)
    m = onnx.load(path)
    onnx.checker.check_model(m)
    got_in = [i.name for i in m.graph.input]
    got_out = [o.name for o in m.graph.output]
    if got_in != spec.inputs or got_out != spec.outputs:
        raise SystemExit(f"{path}: graph inputs {got_in} / outputs {got_out} differ from {spec.inputs} / "
                         f"{spec.outputs} (an input the model ignores was pruned?)")
    return m


def value_info(v):
    t = v.type.tensor_type
    dims = [d.dim_param if d.dim_param else d.dim_value for d in t.shape.dim]
    return {"name": v.name, "dtype": np.dtype(onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[t.elem_type]).name, "shape": dims}


def save_npy(path, a):
    np.save(path, np.ascontiguousarray(a), allow_pickle=False)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default="tests/models/data", help="output folder (wiped and rewritten)")
    ap.add_argument("--only", nargs="*", help="export only these models (for debugging; manifest gets only them)")
    args = ap.parse_args()

    torch.set_num_threads(1)  # bit-reproducible reference outputs across machines with different core counts
    out_dir = args.out
    if os.path.isdir(out_dir) and os.listdir(out_dir):
        if not os.path.exists(os.path.join(out_dir, "manifest.json")):
            raise SystemExit(f"refusing to wipe {out_dir}: it is not empty and holds no manifest.json "
                             "(not an output folder of this script)")
        shutil.rmtree(out_dir)
    os.makedirs(out_dir)

    manifest = {
        "generator": "scripts/export_test_models.py",
        "command": "/usr/bin/python3 scripts/export_test_models.py --out tests/models/data",
        "torch": torch.__version__, "onnx": onnx.__version__,
        "tolerance": 1e-4,
        "notes": ("batch3_padded rows: take row `row` of every input (keep the batch axis, size 1), slice each input "
                  "listed with {axis,start,end} (null = whole row), run alone, and compare with the batched output "
                  "row sliced the same way (null = whole row). Encoders are right padded; gpt2_past has a "
                  "left-padded past (mask 0 on the padding columns) and new tokens all valid, with explicit "
                  "position_ids, so each row alone is its trimmed past plus the same new tokens."),
        "models": [],
    }
    histogram = collections.Counter()       # op -> node count over all exported models
    op_models = collections.defaultdict(set)  # op -> models using it
    sizes = {}

    for spec in SPECS:
        if args.only and spec.name not in args.only:
            continue
        model = build_model(spec)
        cases = make_cases(spec, model)
        results = []
        for case_name, inputs, rows in cases:
            outputs = run_torch(model, spec, inputs)
            worst = check_rows(model, spec, inputs, outputs, rows) if rows else None
            results.append((case_name, inputs, outputs, rows, worst))
        config = {k: v for k, v in spec.config.items()
                  if not (spec.name.startswith("gpt2") and k in HF_ATTRIBUTE_MAP_KEYS)}
        for opset in OPSETS:
            model_name = f"{spec.name}_opset{opset}"
            mdir = os.path.join(out_dir, model_name)
            os.makedirs(mdir)
            onnx_path = os.path.join(mdir, "model.onnx")
            m = export_onnx(model, spec, results[0][1], onnx_path, opset)
            ops = collections.Counter(n.op_type if n.domain in ("", "ai.onnx") else f"{n.domain}.{n.op_type}"
                                      for n in m.graph.node)
            histogram.update(ops)
            for op in ops:
                op_models[op].add(model_name)
            sizes[model_name] = os.path.getsize(onnx_path)
            with open(os.path.join(mdir, "config.json"), "w") as f:
                json.dump(dict(config, torch_dtype="float32", onnx_opset=opset), f, indent=2, sort_keys=True)
                f.write("\n")
            entry = {
                "name": model_name, "family": spec.name, "model_type": spec.config.model_type, "task": spec.task,
                "opset": opset, "path": f"{model_name}/model.onnx", "bytes": sizes[model_name],
                "inputs": [value_info(v) for v in m.graph.input],
                "outputs": [value_info(v) for v in m.graph.output],
                "ops": dict(sorted(ops.items())),
                "cases": [],
            }
            for case_name, inputs, outputs, rows, worst in results:
                cdir = os.path.join(mdir, f"case_{case_name}")
                os.makedirs(cdir)
                for n in spec.inputs:
                    save_npy(os.path.join(cdir, f"input_{n}.npy"), inputs[n])
                for n in spec.outputs:
                    save_npy(os.path.join(cdir, f"output_{n}.npy"), outputs[n])
                case = {"name": case_name, "dir": f"{model_name}/case_{case_name}",
                        "input_shapes": {n: list(inputs[n].shape) for n in spec.inputs},
                        "output_shapes": {n: list(outputs[n].shape) for n in spec.outputs}}
                if rows:
                    case["rows"] = rows
                    case["lengths"] = [r["length"] for r in rows]
                    case["padding_side"] = "left (past)" if spec.past else "right"
                entry["cases"].append(case)
            manifest["models"].append(entry)
            row_note = ""
            worsts = [w for *_, w in results if w is not None]
            if worsts:
                row_note = f", rows alone == batched (torch, max abs {max(worsts):.2g})"
            print(f"wrote {model_name}: model.onnx {sizes[model_name] / 1024:.1f} KiB, {len(m.graph.node)} nodes, "
                  f"cases {', '.join(c for c, *_ in results)}{row_note}")

    manifest["op_histogram"] = {op: {"nodes": histogram[op], "models": len(op_models[op])}
                                for op in sorted(histogram)}
    with open(os.path.join(out_dir, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")

    total = sum(os.path.getsize(os.path.join(d, fn)) for d, _, fs in os.walk(out_dir) for fn in fs)
    print(f"\n{len(manifest['models'])} models, {total / 1e6:.2f} MB under {out_dir}")
    print("\nONNX op histogram (nodes over all models, number of models using the op):")
    for op, count in sorted(histogram.items(), key=lambda kv: (-len(op_models[kv[0]]), kv[0])):
        print(f"  {op:<22} {count:>5} nodes  {len(op_models[op]):>3} models")
    return 0


if __name__ == "__main__":
    sys.exit(main())
