"""BERT with the attention-mask paths of other exporters and transformers versions (config.attention_variant).

The optimizer's attention fusion must recognise every mask form exporters produce; the plain BERT export has only
(1 - mask) * finfo.min. These variants keep BERT's module tree (same ONNX names) and change only the mask path:

    "mask_10000": (1 - mask) * -10000 added to the scores (transformers < 4.22, TF-era and ONNX Runtime test models)
    "bool_mask":  mask.bool() broadcast to [B, 1, 1, T]; scores.masked_fill(~mask, finfo.min) (a Where on the scores)
    "sdpa":       torch 2.x scaled_dot_product_attention math path: the scale 1/sqrt(head_size) is computed from the
                  query's shape and applied as sqrt(scale) to q and to k^T before their MatMul; the additive mask is
                  transformers' _prepare_4d_attention_mask_for_sdpa: [B, 1, S, T], masked_fill(1 - mask, finfo.min)
    "bidir_mask": transformers >= 4.53's masking_utils for an encoder, eager attention: an all-true [S, T] bidirectional
                  mask expanded to [B, 1, S, T] times the padding mask [B, 1, 1, T] (bool), then
                  torch.where(mask, 0, finfo.min) added to the scores
"""

import torch
from torch import nn

from .bert import BertEmbeddings, BertEncoder, BertSelfAttention


class BoolMaskSelfAttention(BertSelfAttention):
    """Scores masked with masked_fill(~mask, finfo.min); `attention_mask` is a bool [B, 1, 1, T]."""

    def forward(self, hidden_states, attention_mask=None):
        query_layer = self.transpose_for_scores(self.query(hidden_states))
        key_layer = self.transpose_for_scores(self.key(hidden_states))
        value_layer = self.transpose_for_scores(self.value(hidden_states))
        scores = torch.matmul(query_layer, key_layer.transpose(-1, -2)) / (self.attention_head_size ** 0.5)
        scores = scores.masked_fill(~attention_mask, torch.finfo(scores.dtype).min)
        probs = self.dropout(nn.functional.softmax(scores, dim=-1))
        context = torch.matmul(probs, value_layer).permute(0, 2, 1, 3).contiguous()
        return context.view(context.size()[:-2] + (self.all_head_size,))


class SdpaSelfAttention(BertSelfAttention):
    """torch's SDPA math path (and its ONNX decomposition): q * sqrt(scale) @ (k^T * sqrt(scale)) + mask."""

    def forward(self, hidden_states, attention_mask=None):
        query_layer = self.transpose_for_scores(self.query(hidden_states))
        key_layer = self.transpose_for_scores(self.key(hidden_states))
        value_layer = self.transpose_for_scores(self.value(hidden_states))
        head_size = torch._shape_as_tensor(query_layer)[-1].to(torch.float32)
        scale = 1.0 / torch.sqrt(head_size)
        sqrt_scale = torch.sqrt(scale)
        scores = torch.matmul(query_layer * sqrt_scale, key_layer.transpose(-2, -1) * sqrt_scale)
        scores = scores + attention_mask
        probs = self.dropout(torch.softmax(scores, dim=-1))
        context = torch.matmul(probs, value_layer).permute(0, 2, 1, 3).contiguous()
        return context.view(context.size()[:-2] + (self.all_head_size,))


def variant_mask(attention_mask, variant, target_length):
    """The mask the encoder layers get, as each variant's transformers code builds it."""
    if variant == "mask_10000":
        extended = attention_mask[:, None, None, :].to(torch.float32)
        return (1.0 - extended) * -10000.0
    if variant == "bool_mask":
        return attention_mask[:, None, None, :].bool()
    if variant == "sdpa":
        batch, source_length = attention_mask.shape
        expanded = attention_mask[:, None, None, :].expand(batch, 1, target_length, source_length).to(torch.float32)
        inverted = 1.0 - expanded
        return inverted.masked_fill(inverted.to(torch.bool), torch.finfo(torch.float32).min)
    if variant == "bidir_mask":
        batch, source_length = attention_mask.shape
        bidirectional = torch.ones((target_length, source_length), dtype=torch.bool)
        mask = bidirectional[None, None, :, :].expand(batch, -1, -1, -1)
        mask = mask * attention_mask[:, None, None, :].bool()
        return torch.where(mask, torch.tensor(0.0), torch.tensor(torch.finfo(torch.float32).min))
    raise ValueError(f"unknown attention_variant {variant!r}")


class BertVariantFeatureExtraction(nn.Module):
    """BertFeatureExtraction (no pooler) with the mask path of config.attention_variant."""

    def __init__(self, config):
        super().__init__()
        self.bert = BertVariantModel(config)

    def forward(self, input_ids, attention_mask, token_type_ids):
        return self.bert(input_ids, attention_mask, token_type_ids)


class BertVariantModel(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config
        self.embeddings = BertEmbeddings(config)
        self.encoder = BertEncoder(config)
        attention_class = {"bool_mask": BoolMaskSelfAttention, "sdpa": SdpaSelfAttention}.get(
            config.attention_variant)
        if attention_class is not None:
            for layer in self.encoder.layer:
                layer.attention.self = attention_class(config)

    def forward(self, input_ids, attention_mask, token_type_ids):
        mask = variant_mask(attention_mask, self.config.attention_variant, input_ids.shape[1])
        embedding_output = self.embeddings(input_ids=input_ids, token_type_ids=token_type_ids)
        return self.encoder(embedding_output, mask)
