"""Shared pieces of the test-model re-implementations: the HF-style Config, activations
(transformers/activations.py) and mask/position helpers (modeling_utils.py)."""

import math
import torch
import torch.nn.functional as F
from torch import nn


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
