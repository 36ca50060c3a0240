#!/usr/bin/python3
"""Export the tiny random Transformer test models of tests/models/data, with PyTorch reference outputs.

Usage (Debian's python3-torch 1.13, python3-onnx 1.12, python3-numpy; nothing else needed):

    /usr/bin/python3 scripts/export_test_models.py --out tests/models/data

For each architecture family below this script builds a plain-PyTorch re-implementation of the Hugging Face
`transformers` model (same operations in the same order as the HF modeling code, so the exported graphs have the
shapes of real Optimum exports), with a tiny seeded random config, and writes:

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
import torch.nn.functional as F
from torch import nn

OPSETS = (14, 17)


class Config(dict):
    """An HF-style config: a dict (written as config.json) with attribute access."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError as e:
            raise AttributeError(name) from e


# ----------------------------------------------------------------------------------------------------------------
# Shared helpers (transformers/activations.py, modeling_utils.py)
# ----------------------------------------------------------------------------------------------------------------


class GELUActivation(nn.Module):
    """ACT2FN["gelu"]: the exact erf form."""

    def forward(self, x):
        return F.gelu(x)


class NewGELUActivation(nn.Module):
    """ACT2FN["gelu_new"]: the tanh approximation used by GPT-2 (and ALBERT, T5 v1.1)."""

    def forward(self, x):
        return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


ACT2FN = {"gelu": GELUActivation, "gelu_new": NewGELUActivation, "relu": nn.ReLU}


def get_extended_attention_mask(attention_mask, dtype=torch.float32):
    """ModuleUtilsMixin.get_extended_attention_mask for an encoder: [B, S] -> additive [B, 1, 1, S]."""
    extended = attention_mask[:, None, None, :]
    extended = extended.to(dtype=dtype)
    return (1.0 - extended) * torch.finfo(dtype).min


def create_position_ids_from_input_ids(input_ids, padding_idx, past_key_values_length=0):
    """RoBERTa / XLM-R / MPNet: positions count non-padding tokens from padding_idx + 1; padding keeps padding_idx."""
    mask = input_ids.ne(padding_idx).int()
    incremental_indices = (torch.cumsum(mask, dim=1).type_as(mask) + past_key_values_length) * mask
    return incremental_indices.long() + padding_idx


# ----------------------------------------------------------------------------------------------------------------
# BERT (modeling_bert.py); also the encoder of RoBERTa, XLM-RoBERTa and ELECTRA
# ----------------------------------------------------------------------------------------------------------------


class BertEmbeddings(nn.Module):
    """Word + token type + absolute position embeddings, LayerNorm. ELECTRA/ALBERT use it with embedding_size."""

    def __init__(self, config, embedding_size=None):
        super().__init__()
        size = embedding_size or config.hidden_size
        self.word_embeddings = nn.Embedding(config.vocab_size, size, padding_idx=config.pad_token_id)
        self.position_embeddings = nn.Embedding(config.max_position_embeddings, size)
        self.token_type_embeddings = nn.Embedding(config.type_vocab_size, size)
        self.LayerNorm = nn.LayerNorm(size, eps=config.layer_norm_eps)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)
        self.register_buffer("position_ids", torch.arange(config.max_position_embeddings).expand((1, -1)))
        self.register_buffer("token_type_ids", torch.zeros(self.position_ids.size(), dtype=torch.long),
                             persistent=False)

    def forward(self, input_ids, token_type_ids=None, past_key_values_length=0):
        input_shape = input_ids.size()
        seq_length = input_shape[1]
        position_ids = self.position_ids[:, past_key_values_length:seq_length + past_key_values_length]
        if token_type_ids is None:
            buffered_token_type_ids = self.token_type_ids[:, :seq_length]
            token_type_ids = buffered_token_type_ids.expand(input_shape[0], seq_length)
        inputs_embeds = self.word_embeddings(input_ids)
        token_type_embeddings = self.token_type_embeddings(token_type_ids)
        embeddings = inputs_embeds + token_type_embeddings
        position_embeddings = self.position_embeddings(position_ids)
        embeddings += position_embeddings
        embeddings = self.LayerNorm(embeddings)
        embeddings = self.dropout(embeddings)
        return embeddings


class BertSelfAttention(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.num_attention_heads = config.num_attention_heads
        self.attention_head_size = config.hidden_size // config.num_attention_heads
        self.all_head_size = self.num_attention_heads * self.attention_head_size
        self.query = nn.Linear(config.hidden_size, self.all_head_size)
        self.key = nn.Linear(config.hidden_size, self.all_head_size)
        self.value = nn.Linear(config.hidden_size, self.all_head_size)
        self.dropout = nn.Dropout(config.attention_probs_dropout_prob)

    def transpose_for_scores(self, x):
        new_x_shape = x.size()[:-1] + (self.num_attention_heads, self.attention_head_size)
        x = x.view(new_x_shape)
        return x.permute(0, 2, 1, 3)

    def forward(self, hidden_states, attention_mask=None):
        mixed_query_layer = self.query(hidden_states)
        key_layer = self.transpose_for_scores(self.key(hidden_states))
        value_layer = self.transpose_for_scores(self.value(hidden_states))
        query_layer = self.transpose_for_scores(mixed_query_layer)
        attention_scores = torch.matmul(query_layer, key_layer.transpose(-1, -2))
        attention_scores = attention_scores / math.sqrt(self.attention_head_size)
        if attention_mask is not None:
            attention_scores = attention_scores + attention_mask
        attention_probs = nn.functional.softmax(attention_scores, dim=-1)
        attention_probs = self.dropout(attention_probs)
        context_layer = torch.matmul(attention_probs, value_layer)
        context_layer = context_layer.permute(0, 2, 1, 3).contiguous()
        new_context_layer_shape = context_layer.size()[:-2] + (self.all_head_size,)
        context_layer = context_layer.view(new_context_layer_shape)
        return context_layer


class BertSelfOutput(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.dense = nn.Linear(config.hidden_size, config.hidden_size)
        self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)

    def forward(self, hidden_states, input_tensor):
        hidden_states = self.dense(hidden_states)
        hidden_states = self.dropout(hidden_states)
        return self.LayerNorm(hidden_states + input_tensor)


class BertAttention(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.self = BertSelfAttention(config)
        self.output = BertSelfOutput(config)

    def forward(self, hidden_states, attention_mask=None):
        self_outputs = self.self(hidden_states, attention_mask)
        return self.output(self_outputs, hidden_states)


class BertIntermediate(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.dense = nn.Linear(config.hidden_size, config.intermediate_size)
        self.intermediate_act_fn = ACT2FN[config.hidden_act]()

    def forward(self, hidden_states):
        return self.intermediate_act_fn(self.dense(hidden_states))


class BertOutput(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.dense = nn.Linear(config.intermediate_size, config.hidden_size)
        self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)

    def forward(self, hidden_states, input_tensor):
        hidden_states = self.dense(hidden_states)
        hidden_states = self.dropout(hidden_states)
        return self.LayerNorm(hidden_states + input_tensor)


class BertLayer(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.attention = BertAttention(config)
        self.intermediate = BertIntermediate(config)
        self.output = BertOutput(config)

    def forward(self, hidden_states, attention_mask=None):
        attention_output = self.attention(hidden_states, attention_mask)
        intermediate_output = self.intermediate(attention_output)
        return self.output(intermediate_output, attention_output)


class BertEncoder(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.layer = nn.ModuleList([BertLayer(config) for _ in range(config.num_hidden_layers)])

    def forward(self, hidden_states, attention_mask=None):
        for layer_module in self.layer:
            hidden_states = layer_module(hidden_states, attention_mask)
        return hidden_states


class BertPooler(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.dense = nn.Linear(config.hidden_size, config.hidden_size)
        self.activation = nn.Tanh()

    def forward(self, hidden_states):
        first_token_tensor = hidden_states[:, 0]
        return self.activation(self.dense(first_token_tensor))


class BertModel(nn.Module):
    """BertModel; returns (last_hidden_state, pooler_output or None)."""

    def __init__(self, config, add_pooling_layer=True, embeddings=None):
        super().__init__()
        self.config = config
        self.embeddings = embeddings if embeddings is not None else BertEmbeddings(config)
        self.encoder = BertEncoder(config)
        self.pooler = BertPooler(config) if add_pooling_layer else None

    def forward(self, input_ids, attention_mask, token_type_ids=None):
        extended_attention_mask = get_extended_attention_mask(attention_mask)
        embedding_output = self.embeddings(input_ids=input_ids, token_type_ids=token_type_ids)
        sequence_output = self.encoder(embedding_output, extended_attention_mask)
        pooled_output = self.pooler(sequence_output) if self.pooler is not None else None
        return sequence_output, pooled_output


class BertFeatureExtraction(nn.Module):
    """AutoModel (feature-extraction): inputs input_ids, attention_mask, token_type_ids -> last_hidden_state."""

    def __init__(self, config):
        super().__init__()
        self.bert = BertModel(config, add_pooling_layer=False)

    def forward(self, input_ids, attention_mask, token_type_ids):
        return self.bert(input_ids, attention_mask, token_type_ids)[0]


class BertForSequenceClassification(nn.Module):
    """Pooler (tanh on [CLS]) + dropout + classifier -> logits [B, num_labels]."""

    def __init__(self, config):
        super().__init__()
        self.bert = BertModel(config)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)
        self.classifier = nn.Linear(config.hidden_size, len(config.id2label))

    def forward(self, input_ids, attention_mask, token_type_ids):
        pooled_output = self.bert(input_ids, attention_mask, token_type_ids)[1]
        pooled_output = self.dropout(pooled_output)
        return self.classifier(pooled_output)


# ----------------------------------------------------------------------------------------------------------------
# RoBERTa / XLM-RoBERTa (modeling_roberta.py, modeling_xlm_roberta.py: identical code)
# ----------------------------------------------------------------------------------------------------------------


class RobertaEmbeddings(BertEmbeddings):
    """BERT embeddings with position ids counted from padding_idx over non-padding tokens."""

    def __init__(self, config):
        super().__init__(config)
        self.padding_idx = config.pad_token_id
        self.position_embeddings = nn.Embedding(config.max_position_embeddings, config.hidden_size,
                                                padding_idx=self.padding_idx)

    def forward(self, input_ids, token_type_ids=None, past_key_values_length=0):
        position_ids = create_position_ids_from_input_ids(input_ids, self.padding_idx, past_key_values_length)
        input_shape = input_ids.size()
        seq_length = input_shape[1]
        if token_type_ids is None:
            buffered_token_type_ids = self.token_type_ids[:, :seq_length]
            token_type_ids = buffered_token_type_ids.expand(input_shape[0], seq_length)
        inputs_embeds = self.word_embeddings(input_ids)
        token_type_embeddings = self.token_type_embeddings(token_type_ids)
        embeddings = inputs_embeds + token_type_embeddings
        position_embeddings = self.position_embeddings(position_ids)
        embeddings += position_embeddings
        embeddings = self.LayerNorm(embeddings)
        embeddings = self.dropout(embeddings)
        return embeddings


class RobertaFeatureExtraction(nn.Module):
    """RobertaModel / XLMRobertaModel: input_ids, attention_mask -> last_hidden_state (no token_type_ids input)."""

    def __init__(self, config):
        super().__init__()
        self.roberta = BertModel(config, add_pooling_layer=False, embeddings=RobertaEmbeddings(config))

    def forward(self, input_ids, attention_mask):
        return self.roberta(input_ids, attention_mask)[0]


# ----------------------------------------------------------------------------------------------------------------
# ELECTRA (modeling_electra.py): BERT encoder behind smaller embeddings and a projection
# ----------------------------------------------------------------------------------------------------------------


class ElectraModel(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.embeddings = BertEmbeddings(config, embedding_size=config.embedding_size)
        if config.embedding_size != config.hidden_size:
            self.embeddings_project = nn.Linear(config.embedding_size, config.hidden_size)
        self.encoder = BertEncoder(config)

    def forward(self, input_ids, attention_mask, token_type_ids):
        extended_attention_mask = get_extended_attention_mask(attention_mask)
        hidden_states = self.embeddings(input_ids=input_ids, token_type_ids=token_type_ids)
        if hasattr(self, "embeddings_project"):
            hidden_states = self.embeddings_project(hidden_states)
        return self.encoder(hidden_states, extended_attention_mask)


# ----------------------------------------------------------------------------------------------------------------
# ALBERT (modeling_albert.py): factorized embeddings, one shared layer group applied num_hidden_layers times
# ----------------------------------------------------------------------------------------------------------------


class AlbertAttention(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.num_attention_heads = config.num_attention_heads
        self.attention_head_size = config.hidden_size // config.num_attention_heads
        self.all_head_size = self.num_attention_heads * self.attention_head_size
        self.query = nn.Linear(config.hidden_size, self.all_head_size)
        self.key = nn.Linear(config.hidden_size, self.all_head_size)
        self.value = nn.Linear(config.hidden_size, self.all_head_size)
        self.attention_dropout = nn.Dropout(config.attention_probs_dropout_prob)
        self.output_dropout = nn.Dropout(config.hidden_dropout_prob)
        self.dense = nn.Linear(config.hidden_size, config.hidden_size)
        self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)

    def transpose_for_scores(self, x):
        new_x_shape = x.size()[:-1] + (self.num_attention_heads, self.attention_head_size)
        x = x.view(new_x_shape)
        return x.permute(0, 2, 1, 3)

    def forward(self, hidden_states, attention_mask=None):
        mixed_query_layer = self.query(hidden_states)
        mixed_key_layer = self.key(hidden_states)
        mixed_value_layer = self.value(hidden_states)
        query_layer = self.transpose_for_scores(mixed_query_layer)
        key_layer = self.transpose_for_scores(mixed_key_layer)
        value_layer = self.transpose_for_scores(mixed_value_layer)
        attention_scores = torch.matmul(query_layer, key_layer.transpose(-1, -2))
        attention_scores = attention_scores / math.sqrt(self.attention_head_size)
        if attention_mask is not None:
            attention_scores = attention_scores + attention_mask
        attention_probs = nn.functional.softmax(attention_scores, dim=-1)
        attention_probs = self.attention_dropout(attention_probs)
        context_layer = torch.matmul(attention_probs, value_layer)
        context_layer = context_layer.transpose(2, 1).flatten(2)
        projected_context_layer = self.dense(context_layer)
        projected_context_layer = self.output_dropout(projected_context_layer)
        return self.LayerNorm(hidden_states + projected_context_layer)


class AlbertLayer(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.full_layer_layer_norm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.attention = AlbertAttention(config)
        self.ffn = nn.Linear(config.hidden_size, config.intermediate_size)
        self.ffn_output = nn.Linear(config.intermediate_size, config.hidden_size)
        self.activation = ACT2FN[config.hidden_act]()
        self.dropout = nn.Dropout(config.hidden_dropout_prob)

    def ff_chunk(self, attention_output):
        ffn_output = self.ffn(attention_output)
        ffn_output = self.activation(ffn_output)
        return self.ffn_output(ffn_output)

    def forward(self, hidden_states, attention_mask=None):
        attention_output = self.attention(hidden_states, attention_mask)
        ffn_output = self.ff_chunk(attention_output)
        return self.full_layer_layer_norm(ffn_output + attention_output)


class AlbertLayerGroup(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.albert_layers = nn.ModuleList([AlbertLayer(config) for _ in range(config.inner_group_num)])

    def forward(self, hidden_states, attention_mask=None):
        for albert_layer in self.albert_layers:
            hidden_states = albert_layer(hidden_states, attention_mask)
        return hidden_states


class AlbertTransformer(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config
        self.embedding_hidden_mapping_in = nn.Linear(config.embedding_size, config.hidden_size)
        self.albert_layer_groups = nn.ModuleList([AlbertLayerGroup(config) for _ in range(config.num_hidden_groups)])

    def forward(self, hidden_states, attention_mask=None):
        hidden_states = self.embedding_hidden_mapping_in(hidden_states)
        for i in range(self.config.num_hidden_layers):
            group_idx = int(i / (self.config.num_hidden_layers / self.config.num_hidden_groups))
            hidden_states = self.albert_layer_groups[group_idx](hidden_states, attention_mask)
        return hidden_states


class AlbertModel(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.embeddings = BertEmbeddings(config, embedding_size=config.embedding_size)
        self.encoder = AlbertTransformer(config)

    def forward(self, input_ids, attention_mask, token_type_ids):
        extended_attention_mask = get_extended_attention_mask(attention_mask)
        embedding_output = self.embeddings(input_ids, token_type_ids=token_type_ids)
        return self.encoder(embedding_output, extended_attention_mask)


# ----------------------------------------------------------------------------------------------------------------
# DistilBERT (modeling_distilbert.py)
# ----------------------------------------------------------------------------------------------------------------


class DistilEmbeddings(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.word_embeddings = nn.Embedding(config.vocab_size, config.dim, padding_idx=config.pad_token_id)
        self.position_embeddings = nn.Embedding(config.max_position_embeddings, config.dim)
        self.LayerNorm = nn.LayerNorm(config.dim, eps=1e-12)
        self.dropout = nn.Dropout(config.dropout)
        self.register_buffer("position_ids", torch.arange(config.max_position_embeddings).expand((1, -1)),
                             persistent=False)

    def forward(self, input_ids):
        input_embeds = self.word_embeddings(input_ids)
        seq_length = input_embeds.size(1)
        position_ids = self.position_ids[:, :seq_length]
        position_embeddings = self.position_embeddings(position_ids)
        embeddings = input_embeds + position_embeddings
        embeddings = self.LayerNorm(embeddings)
        return self.dropout(embeddings)


class MultiHeadSelfAttention(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.n_heads = config.n_heads
        self.dim = config.dim
        self.dropout = nn.Dropout(p=config.attention_dropout)
        self.q_lin = nn.Linear(config.dim, config.dim)
        self.k_lin = nn.Linear(config.dim, config.dim)
        self.v_lin = nn.Linear(config.dim, config.dim)
        self.out_lin = nn.Linear(config.dim, config.dim)

    def forward(self, query, key, value, mask):
        bs, q_length, dim = query.size()
        k_length = key.size(1)
        dim_per_head = self.dim // self.n_heads
        mask_reshp = (bs, 1, 1, k_length)

        def shape(x):
            return x.view(bs, -1, self.n_heads, dim_per_head).transpose(1, 2)

        def unshape(x):
            return x.transpose(1, 2).contiguous().view(bs, -1, self.n_heads * dim_per_head)

        q = shape(self.q_lin(query))
        k = shape(self.k_lin(key))
        v = shape(self.v_lin(value))
        q = q / math.sqrt(dim_per_head)
        scores = torch.matmul(q, k.transpose(2, 3))
        mask = (mask == 0).view(mask_reshp).expand_as(scores)
        scores = scores.masked_fill(mask, torch.tensor(torch.finfo(scores.dtype).min))
        weights = nn.functional.softmax(scores, dim=-1)
        weights = self.dropout(weights)
        context = torch.matmul(weights, v)
        context = unshape(context)
        return self.out_lin(context)


class FFN(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.dropout = nn.Dropout(p=config.dropout)
        self.lin1 = nn.Linear(config.dim, config.hidden_dim)
        self.lin2 = nn.Linear(config.hidden_dim, config.dim)
        self.activation = ACT2FN[config.activation]()

    def forward(self, x):
        x = self.lin1(x)
        x = self.activation(x)
        x = self.lin2(x)
        return self.dropout(x)


class TransformerBlock(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.attention = MultiHeadSelfAttention(config)
        self.sa_layer_norm = nn.LayerNorm(config.dim, eps=1e-12)
        self.ffn = FFN(config)
        self.output_layer_norm = nn.LayerNorm(config.dim, eps=1e-12)

    def forward(self, x, attn_mask):
        sa_output = self.attention(x, x, x, attn_mask)
        sa_output = self.sa_layer_norm(sa_output + x)
        ffn_output = self.ffn(sa_output)
        return self.output_layer_norm(ffn_output + sa_output)


class DistilBertModel(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.embeddings = DistilEmbeddings(config)
        self.layer = nn.ModuleList([TransformerBlock(config) for _ in range(config.n_layers)])

    def forward(self, input_ids, attention_mask):
        hidden_state = self.embeddings(input_ids)
        for layer_module in self.layer:
            hidden_state = layer_module(hidden_state, attention_mask)
        return hidden_state


class DistilBertForSequenceClassification(nn.Module):
    """[CLS] hidden state -> pre_classifier -> ReLU -> dropout -> classifier -> logits [B, num_labels]."""

    def __init__(self, config):
        super().__init__()
        self.distilbert = DistilBertModel(config)
        self.pre_classifier = nn.Linear(config.dim, config.dim)
        self.classifier = nn.Linear(config.dim, len(config.id2label))
        self.dropout = nn.Dropout(config.seq_classif_dropout)

    def forward(self, input_ids, attention_mask):
        hidden_state = self.distilbert(input_ids, attention_mask)
        pooled_output = hidden_state[:, 0]
        pooled_output = self.pre_classifier(pooled_output)
        pooled_output = nn.ReLU()(pooled_output)
        pooled_output = self.dropout(pooled_output)
        return self.classifier(pooled_output)


# ----------------------------------------------------------------------------------------------------------------
# MPNet (modeling_mpnet.py): RoBERTa-style embeddings, T5-style relative position bias shared by all layers
# ----------------------------------------------------------------------------------------------------------------


class MPNetEmbeddings(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.padding_idx = 1
        self.word_embeddings = nn.Embedding(config.vocab_size, config.hidden_size, padding_idx=self.padding_idx)
        self.position_embeddings = nn.Embedding(config.max_position_embeddings, config.hidden_size,
                                                padding_idx=self.padding_idx)
        self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)

    def forward(self, input_ids):
        position_ids = create_position_ids_from_input_ids(input_ids, self.padding_idx)
        inputs_embeds = self.word_embeddings(input_ids)
        position_embeddings = self.position_embeddings(position_ids)
        embeddings = inputs_embeds + position_embeddings
        embeddings = self.LayerNorm(embeddings)
        return self.dropout(embeddings)


class MPNetSelfAttention(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.num_attention_heads = config.num_attention_heads
        self.attention_head_size = config.hidden_size // config.num_attention_heads
        self.all_head_size = self.num_attention_heads * self.attention_head_size
        self.q = nn.Linear(config.hidden_size, self.all_head_size)
        self.k = nn.Linear(config.hidden_size, self.all_head_size)
        self.v = nn.Linear(config.hidden_size, self.all_head_size)
        self.o = nn.Linear(config.hidden_size, config.hidden_size)
        self.dropout = nn.Dropout(config.attention_probs_dropout_prob)

    def transpose_for_scores(self, x):
        new_x_shape = x.size()[:-1] + (self.num_attention_heads, self.attention_head_size)
        x = x.view(*new_x_shape)
        return x.permute(0, 2, 1, 3)

    def forward(self, hidden_states, attention_mask=None, position_bias=None):
        q = self.transpose_for_scores(self.q(hidden_states))
        k = self.transpose_for_scores(self.k(hidden_states))
        v = self.transpose_for_scores(self.v(hidden_states))
        attention_scores = torch.matmul(q, k.transpose(-1, -2))
        attention_scores = attention_scores / math.sqrt(self.attention_head_size)
        if position_bias is not None:
            attention_scores += position_bias
        if attention_mask is not None:
            attention_scores = attention_scores + attention_mask
        attention_probs = nn.functional.softmax(attention_scores, dim=-1)
        attention_probs = self.dropout(attention_probs)
        c = torch.matmul(attention_probs, v)
        c = c.permute(0, 2, 1, 3).contiguous()
        new_c_shape = c.size()[:-2] + (self.all_head_size,)
        c = c.view(*new_c_shape)
        return self.o(c)


class MPNetAttention(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.attn = MPNetSelfAttention(config)
        self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)

    def forward(self, hidden_states, attention_mask=None, position_bias=None):
        self_outputs = self.attn(hidden_states, attention_mask, position_bias)
        return self.LayerNorm(self.dropout(self_outputs) + hidden_states)


class MPNetLayer(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.attention = MPNetAttention(config)
        self.intermediate = BertIntermediate(config)
        self.output = BertOutput(config)

    def forward(self, hidden_states, attention_mask=None, position_bias=None):
        attention_output = self.attention(hidden_states, attention_mask, position_bias=position_bias)
        intermediate_output = self.intermediate(attention_output)
        return self.output(intermediate_output, attention_output)


class MPNetEncoder(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.n_heads = config.num_attention_heads
        self.layer = nn.ModuleList([MPNetLayer(config) for _ in range(config.num_hidden_layers)])
        self.relative_attention_bias = nn.Embedding(config.relative_attention_num_buckets, self.n_heads)

    def forward(self, hidden_states, attention_mask=None):
        position_bias = self.compute_position_bias(hidden_states)
        for layer_module in self.layer:
            hidden_states = layer_module(hidden_states, attention_mask, position_bias=position_bias)
        return hidden_states

    def compute_position_bias(self, x, position_ids=None, num_buckets=32):
        bsz, qlen, klen = x.size(0), x.size(1), x.size(1)
        if position_ids is not None:
            context_position = position_ids[:, :, None]
            memory_position = position_ids[:, None, :]
        else:
            context_position = torch.arange(qlen, dtype=torch.long)[:, None]
            memory_position = torch.arange(klen, dtype=torch.long)[None, :]
        relative_position = memory_position - context_position
        rp_bucket = self.relative_position_bucket(relative_position, num_buckets=num_buckets)
        rp_bucket = rp_bucket.to(x.device)
        values = self.relative_attention_bias(rp_bucket)
        values = values.permute([2, 0, 1]).unsqueeze(0)
        values = values.expand((bsz, -1, qlen, klen)).contiguous()
        return values

    @staticmethod
    def relative_position_bucket(relative_position, num_buckets=32, max_distance=128):
        ret = 0
        n = -relative_position
        num_buckets //= 2
        ret += (n < 0).to(torch.long) * num_buckets
        n = torch.abs(n)
        max_exact = num_buckets // 2
        is_small = n < max_exact
        val_if_large = max_exact + (
            torch.log(n.float() / max_exact) / math.log(max_distance / max_exact) * (num_buckets - max_exact)
        ).to(torch.long)
        val_if_large = torch.min(val_if_large, torch.full_like(val_if_large, num_buckets - 1))
        ret += torch.where(is_small, n, val_if_large)
        return ret


class MPNetModel(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.embeddings = MPNetEmbeddings(config)
        self.encoder = MPNetEncoder(config)

    def forward(self, input_ids, attention_mask):
        extended_attention_mask = get_extended_attention_mask(attention_mask)
        embedding_output = self.embeddings(input_ids=input_ids)
        return self.encoder(embedding_output, extended_attention_mask)


# ----------------------------------------------------------------------------------------------------------------
# T5 encoder (modeling_t5.py: T5EncoderModel)
# ----------------------------------------------------------------------------------------------------------------


class T5LayerNorm(nn.Module):
    """RMS norm: no mean subtraction, no bias; variance computed in float32."""

    def __init__(self, hidden_size, eps=1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(hidden_size))
        self.variance_epsilon = eps

    def forward(self, hidden_states):
        variance = hidden_states.to(torch.float32).pow(2).mean(-1, keepdim=True)
        hidden_states = hidden_states * torch.rsqrt(variance + self.variance_epsilon)
        return self.weight * hidden_states


class T5DenseActDense(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.wi = nn.Linear(config.d_model, config.d_ff, bias=False)
        self.wo = nn.Linear(config.d_ff, config.d_model, bias=False)
        self.dropout = nn.Dropout(config.dropout_rate)
        self.act = ACT2FN[config.dense_act_fn]()

    def forward(self, hidden_states):
        hidden_states = self.wi(hidden_states)
        hidden_states = self.act(hidden_states)
        hidden_states = self.dropout(hidden_states)
        return self.wo(hidden_states)


class T5DenseGatedActDense(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.wi_0 = nn.Linear(config.d_model, config.d_ff, bias=False)
        self.wi_1 = nn.Linear(config.d_model, config.d_ff, bias=False)
        self.wo = nn.Linear(config.d_ff, config.d_model, bias=False)
        self.dropout = nn.Dropout(config.dropout_rate)
        self.act = ACT2FN[config.dense_act_fn]()

    def forward(self, hidden_states):
        hidden_gelu = self.act(self.wi_0(hidden_states))
        hidden_linear = self.wi_1(hidden_states)
        hidden_states = hidden_gelu * hidden_linear
        hidden_states = self.dropout(hidden_states)
        return self.wo(hidden_states)


class T5LayerFF(nn.Module):
    def __init__(self, config):
        super().__init__()
        if config.is_gated_act:
            self.DenseReluDense = T5DenseGatedActDense(config)
        else:
            self.DenseReluDense = T5DenseActDense(config)
        self.layer_norm = T5LayerNorm(config.d_model, eps=config.layer_norm_epsilon)
        self.dropout = nn.Dropout(config.dropout_rate)

    def forward(self, hidden_states):
        forwarded_states = self.layer_norm(hidden_states)
        forwarded_states = self.DenseReluDense(forwarded_states)
        return hidden_states + self.dropout(forwarded_states)


class T5Attention(nn.Module):
    def __init__(self, config, has_relative_attention_bias=False):
        super().__init__()
        self.is_decoder = False
        self.has_relative_attention_bias = has_relative_attention_bias
        self.relative_attention_num_buckets = config.relative_attention_num_buckets
        self.relative_attention_max_distance = config.relative_attention_max_distance
        self.d_model = config.d_model
        self.key_value_proj_dim = config.d_kv
        self.n_heads = config.num_heads
        self.dropout = config.dropout_rate
        self.inner_dim = self.n_heads * self.key_value_proj_dim
        self.q = nn.Linear(self.d_model, self.inner_dim, bias=False)
        self.k = nn.Linear(self.d_model, self.inner_dim, bias=False)
        self.v = nn.Linear(self.d_model, self.inner_dim, bias=False)
        self.o = nn.Linear(self.inner_dim, self.d_model, bias=False)
        if self.has_relative_attention_bias:
            self.relative_attention_bias = nn.Embedding(self.relative_attention_num_buckets, self.n_heads)

    @staticmethod
    def _relative_position_bucket(relative_position, bidirectional=True, num_buckets=32, max_distance=128):
        relative_buckets = 0
        if bidirectional:
            num_buckets //= 2
            relative_buckets += (relative_position > 0).to(torch.long) * num_buckets
            relative_position = torch.abs(relative_position)
        else:
            relative_position = -torch.min(relative_position, torch.zeros_like(relative_position))
        max_exact = num_buckets // 2
        is_small = relative_position < max_exact
        relative_position_if_large = max_exact + (
            torch.log(relative_position.float() / max_exact)
            / math.log(max_distance / max_exact)
            * (num_buckets - max_exact)
        ).to(torch.long)
        relative_position_if_large = torch.min(
            relative_position_if_large, torch.full_like(relative_position_if_large, num_buckets - 1))
        relative_buckets += torch.where(is_small, relative_position, relative_position_if_large)
        return relative_buckets

    def compute_bias(self, query_length, key_length):
        context_position = torch.arange(query_length, dtype=torch.long)[:, None]
        memory_position = torch.arange(key_length, dtype=torch.long)[None, :]
        relative_position = memory_position - context_position
        relative_position_bucket = self._relative_position_bucket(
            relative_position,
            bidirectional=(not self.is_decoder),
            num_buckets=self.relative_attention_num_buckets,
            max_distance=self.relative_attention_max_distance,
        )
        values = self.relative_attention_bias(relative_position_bucket)
        values = values.permute([2, 0, 1]).unsqueeze(0)
        return values

    def forward(self, hidden_states, mask=None, position_bias=None):
        batch_size, seq_length = hidden_states.shape[:2]
        real_seq_length = seq_length
        key_length = real_seq_length

        def shape(states):
            return states.view(batch_size, -1, self.n_heads, self.key_value_proj_dim).transpose(1, 2)

        def unshape(states):
            return states.transpose(1, 2).contiguous().view(batch_size, -1, self.inner_dim)

        query_states = shape(self.q(hidden_states))
        key_states = shape(self.k(hidden_states))
        value_states = shape(self.v(hidden_states))
        scores = torch.matmul(query_states, key_states.transpose(3, 2))
        if position_bias is None:
            if not self.has_relative_attention_bias:
                position_bias = torch.zeros((1, self.n_heads, real_seq_length, key_length), dtype=scores.dtype)
            else:
                position_bias = self.compute_bias(real_seq_length, key_length)
            if mask is not None:
                position_bias = position_bias + mask
        position_bias_masked = position_bias
        scores += position_bias_masked
        attn_weights = nn.functional.softmax(scores.float(), dim=-1).type_as(scores)
        attn_weights = nn.functional.dropout(attn_weights, p=self.dropout, training=self.training)
        attn_output = unshape(torch.matmul(attn_weights, value_states))
        attn_output = self.o(attn_output)
        return attn_output, position_bias


class T5LayerSelfAttention(nn.Module):
    def __init__(self, config, has_relative_attention_bias=False):
        super().__init__()
        self.SelfAttention = T5Attention(config, has_relative_attention_bias=has_relative_attention_bias)
        self.layer_norm = T5LayerNorm(config.d_model, eps=config.layer_norm_epsilon)
        self.dropout = nn.Dropout(config.dropout_rate)

    def forward(self, hidden_states, attention_mask=None, position_bias=None):
        normed_hidden_states = self.layer_norm(hidden_states)
        attention_output, position_bias = self.SelfAttention(normed_hidden_states, mask=attention_mask,
                                                             position_bias=position_bias)
        hidden_states = hidden_states + self.dropout(attention_output)
        return hidden_states, position_bias


class T5Block(nn.Module):
    def __init__(self, config, has_relative_attention_bias=False):
        super().__init__()
        self.layer = nn.ModuleList()
        self.layer.append(T5LayerSelfAttention(config, has_relative_attention_bias=has_relative_attention_bias))
        self.layer.append(T5LayerFF(config))

    def forward(self, hidden_states, attention_mask=None, position_bias=None):
        hidden_states, position_bias = self.layer[0](hidden_states, attention_mask, position_bias)
        hidden_states = self.layer[-1](hidden_states)
        return hidden_states, position_bias


class T5Stack(nn.Module):
    def __init__(self, config, embed_tokens):
        super().__init__()
        self.embed_tokens = embed_tokens
        self.block = nn.ModuleList(
            [T5Block(config, has_relative_attention_bias=bool(i == 0)) for i in range(config.num_layers)])
        self.final_layer_norm = T5LayerNorm(config.d_model, eps=config.layer_norm_epsilon)
        self.dropout = nn.Dropout(config.dropout_rate)

    def forward(self, input_ids, attention_mask):
        inputs_embeds = self.embed_tokens(input_ids)
        extended_attention_mask = get_extended_attention_mask(attention_mask, inputs_embeds.dtype)
        position_bias = None
        hidden_states = self.dropout(inputs_embeds)
        for layer_module in self.block:
            hidden_states, position_bias = layer_module(hidden_states, extended_attention_mask, position_bias)
        hidden_states = self.final_layer_norm(hidden_states)
        return self.dropout(hidden_states)


class T5EncoderModel(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.shared = nn.Embedding(config.vocab_size, config.d_model)
        self.encoder = T5Stack(config, self.shared)

    def forward(self, input_ids, attention_mask):
        return self.encoder(input_ids, attention_mask)


# ----------------------------------------------------------------------------------------------------------------
# GPT-2 (modeling_gpt2.py: GPT2LMHeadModel), with and without past key/values
# ----------------------------------------------------------------------------------------------------------------


class Conv1D(nn.Module):
    """GPT-2's transposed linear layer: weight [nx, nf], y = addmm(bias, x, weight)."""

    def __init__(self, nf, nx):
        super().__init__()
        self.nf = nf
        w = torch.empty(nx, nf)
        nn.init.normal_(w, std=0.02)
        self.weight = nn.Parameter(w)
        self.bias = nn.Parameter(torch.zeros(nf))

    def forward(self, x):
        size_out = x.size()[:-1] + (self.nf,)
        x = torch.addmm(self.bias, x.view(-1, x.size(-1)), self.weight)
        x = x.view(size_out)
        return x


class GPT2Attention(nn.Module):
    def __init__(self, config):
        super().__init__()
        max_positions = config.max_position_embeddings
        self.register_buffer(
            "bias",
            torch.tril(torch.ones((max_positions, max_positions), dtype=torch.bool)).view(
                1, 1, max_positions, max_positions),
            persistent=False,
        )
        self.register_buffer("masked_bias", torch.tensor(-1e4), persistent=False)
        self.embed_dim = config.hidden_size
        self.num_heads = config.num_attention_heads
        self.head_dim = self.embed_dim // self.num_heads
        self.split_size = self.embed_dim
        self.scale_attn_weights = config.scale_attn_weights
        self.c_attn = Conv1D(3 * self.embed_dim, self.embed_dim)
        self.c_proj = Conv1D(self.embed_dim, self.embed_dim)
        self.attn_dropout = nn.Dropout(config.attn_pdrop)
        self.resid_dropout = nn.Dropout(config.resid_pdrop)

    def _attn(self, query, key, value, attention_mask=None):
        attn_weights = torch.matmul(query, key.transpose(-1, -2))
        if self.scale_attn_weights:
            attn_weights = attn_weights / torch.full([], value.size(-1) ** 0.5, dtype=attn_weights.dtype,
                                                     device=attn_weights.device)
        query_length, key_length = query.size(-2), key.size(-2)
        causal_mask = self.bias[:, :, key_length - query_length:key_length, :key_length]
        mask_value = torch.finfo(attn_weights.dtype).min
        mask_value = torch.full([], mask_value, dtype=attn_weights.dtype).to(attn_weights.device)
        attn_weights = torch.where(causal_mask, attn_weights.to(attn_weights.dtype), mask_value)
        if attention_mask is not None:
            attn_weights = attn_weights + attention_mask
        attn_weights = nn.functional.softmax(attn_weights, dim=-1)
        attn_weights = attn_weights.type(value.dtype)
        attn_weights = self.attn_dropout(attn_weights)
        attn_output = torch.matmul(attn_weights, value)
        return attn_output, attn_weights

    def _split_heads(self, tensor, num_heads, attn_head_size):
        new_shape = tensor.size()[:-1] + (num_heads, attn_head_size)
        tensor = tensor.view(new_shape)
        return tensor.permute(0, 2, 1, 3)

    def _merge_heads(self, tensor, num_heads, attn_head_size):
        tensor = tensor.permute(0, 2, 1, 3).contiguous()
        new_shape = tensor.size()[:-2] + (num_heads * attn_head_size,)
        return tensor.view(new_shape)

    def forward(self, hidden_states, layer_past=None, attention_mask=None, use_cache=False):
        query, key, value = self.c_attn(hidden_states).split(self.split_size, dim=2)
        query = self._split_heads(query, self.num_heads, self.head_dim)
        key = self._split_heads(key, self.num_heads, self.head_dim)
        value = self._split_heads(value, self.num_heads, self.head_dim)
        if layer_past is not None:
            past_key, past_value = layer_past
            key = torch.cat((past_key, key), dim=-2)
            value = torch.cat((past_value, value), dim=-2)
        present = (key, value) if use_cache else None
        attn_output, _ = self._attn(query, key, value, attention_mask)
        attn_output = self._merge_heads(attn_output, self.num_heads, self.head_dim)
        attn_output = self.c_proj(attn_output)
        attn_output = self.resid_dropout(attn_output)
        return attn_output, present


class GPT2MLP(nn.Module):
    def __init__(self, intermediate_size, config):
        super().__init__()
        self.c_fc = Conv1D(intermediate_size, config.hidden_size)
        self.c_proj = Conv1D(config.hidden_size, intermediate_size)
        self.act = ACT2FN[config.activation_function]()
        self.dropout = nn.Dropout(config.resid_pdrop)

    def forward(self, hidden_states):
        hidden_states = self.c_fc(hidden_states)
        hidden_states = self.act(hidden_states)
        hidden_states = self.c_proj(hidden_states)
        return self.dropout(hidden_states)


class GPT2Block(nn.Module):
    def __init__(self, config):
        super().__init__()
        hidden_size = config.hidden_size
        inner_dim = config.n_inner if config.n_inner is not None else 4 * hidden_size
        self.ln_1 = nn.LayerNorm(hidden_size, eps=config.layer_norm_epsilon)
        self.attn = GPT2Attention(config)
        self.ln_2 = nn.LayerNorm(hidden_size, eps=config.layer_norm_epsilon)
        self.mlp = GPT2MLP(inner_dim, config)

    def forward(self, hidden_states, layer_past=None, attention_mask=None, use_cache=False):
        residual = hidden_states
        hidden_states = self.ln_1(hidden_states)
        attn_output, present = self.attn(hidden_states, layer_past=layer_past, attention_mask=attention_mask,
                                         use_cache=use_cache)
        hidden_states = attn_output + residual
        residual = hidden_states
        hidden_states = self.ln_2(hidden_states)
        feed_forward_hidden_states = self.mlp(hidden_states)
        hidden_states = residual + feed_forward_hidden_states
        return hidden_states, present


class GPT2Model(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.embed_dim = config.hidden_size
        self.wte = nn.Embedding(config.vocab_size, self.embed_dim)
        self.wpe = nn.Embedding(config.max_position_embeddings, self.embed_dim)
        self.drop = nn.Dropout(config.embd_pdrop)
        self.h = nn.ModuleList([GPT2Block(config) for _ in range(config.num_hidden_layers)])
        self.ln_f = nn.LayerNorm(self.embed_dim, eps=config.layer_norm_epsilon)

    def forward(self, input_ids, past_key_values=None, attention_mask=None, position_ids=None, use_cache=False):
        input_shape = input_ids.size()
        input_ids = input_ids.view(-1, input_shape[-1])
        batch_size = input_ids.shape[0]
        if position_ids is not None:
            position_ids = position_ids.view(-1, input_shape[-1])
        if past_key_values is None:
            past_length = 0
            past_key_values = tuple([None] * len(self.h))
        else:
            past_length = past_key_values[0][0].size(-2)
        if position_ids is None:
            position_ids = torch.arange(past_length, input_shape[-1] + past_length, dtype=torch.long)
            position_ids = position_ids.unsqueeze(0).view(-1, input_shape[-1])
        if attention_mask is not None:
            attention_mask = attention_mask.view(batch_size, -1)
            attention_mask = attention_mask[:, None, None, :]
            attention_mask = attention_mask.to(dtype=torch.float32)
            attention_mask = (1.0 - attention_mask) * torch.finfo(torch.float32).min
        inputs_embeds = self.wte(input_ids)
        position_embeds = self.wpe(position_ids)
        hidden_states = inputs_embeds + position_embeds
        hidden_states = self.drop(hidden_states)
        output_shape = input_shape + (hidden_states.size(-1),)
        presents = () if use_cache else None
        for block, layer_past in zip(self.h, past_key_values):
            hidden_states, present = block(hidden_states, layer_past=layer_past, attention_mask=attention_mask,
                                           use_cache=use_cache)
            if use_cache:
                presents = presents + (present,)
        hidden_states = self.ln_f(hidden_states)
        hidden_states = hidden_states.view(output_shape)
        return hidden_states, presents


class GPT2LMHeadModel(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.transformer = GPT2Model(config)
        self.lm_head = nn.Linear(config.hidden_size, config.vocab_size, bias=False)
        self.lm_head.weight = self.transformer.wte.weight  # tie_word_embeddings

    def forward(self, input_ids, past_key_values=None, attention_mask=None, position_ids=None, use_cache=False):
        hidden_states, presents = self.transformer(input_ids, past_key_values, attention_mask, position_ids,
                                                   use_cache)
        return self.lm_head(hidden_states), presents


class GPT2NoPast(nn.Module):
    """Optimum `model.onnx` without cache: input_ids, attention_mask -> logits (positions from arange)."""

    def __init__(self, config):
        super().__init__()
        self.model = GPT2LMHeadModel(config)

    def forward(self, input_ids, attention_mask):
        return self.model(input_ids, attention_mask=attention_mask)[0]


class GPT2WithPast(nn.Module):
    """Optimum `decoder_with_past_model.onnx`: input_ids, attention_mask, position_ids, past_key_values.{i}.key/value
    -> logits, present.{i}.key/value (present = concat(past, new) along the sequence axis)."""

    def __init__(self, config):
        super().__init__()
        self.model = GPT2LMHeadModel(config)
        self.num_layers = config.num_hidden_layers

    def forward(self, input_ids, attention_mask, position_ids, *past_flat):
        past = tuple((past_flat[2 * i], past_flat[2 * i + 1]) for i in range(self.num_layers))
        logits, presents = self.model(input_ids, past_key_values=past, attention_mask=attention_mask,
                                      position_ids=position_ids, use_cache=True)
        flat = [logits]
        for k, v in presents:
            flat += [k, v]
        return tuple(flat)


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
