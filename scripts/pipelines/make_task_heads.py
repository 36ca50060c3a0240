"""Small model folders for the token-classification, question-answering and zero-shot-classification pipeline
tests (tests/pipelines/data/<name>/), in the same layout, tokenizer and DistilBERT body (dim 32, 2 layers,
model_max_length 64) as scripts/pipelines/make_test_models.py, with the heads of transformers'
modeling_distilbert and a config.json carrying id2label/label2id:

  distilbert_ner   DistilBertForTokenClassification (dropout -> classifier) -> logits [B, S, 7]
                   labels O, B-PER, I-PER, B-LOC, I-LOC, B-ORG, I-ORG
  distilbert_qa    DistilBertForQuestionAnswering (qa_outputs -> split) -> start_logits, end_logits [B, S]
  distilbert_nli   DistilBertForSequenceClassification (pre_classifier -> relu -> classifier) -> logits [B, 3]
                   labels contradiction, neutral, entailment (the MNLI order)

The weights are the deterministic random ones of scripts/export_test_models.py; each head's last layer is scaled
up so the scores are well separated (no near-ties in argmax, top-k or sorting).

Usage (Debian's python with python3-torch 1.13; a few seconds, deterministic):
  /usr/bin/python3 scripts/pipelines/make_task_heads.py --out tests/pipelines/data
"""
import argparse
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_test_models as mtm  # noqa: E402

etm = mtm.etm

NER_LABELS = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG"]
NLI_LABELS = ["contradiction", "neutral", "entailment"]


class TokenClassification(torch.nn.Module):
    def __init__(self, config):
        super().__init__()
        self.distilbert = etm.DistilBertModel(config)
        self.classifier = torch.nn.Linear(config.dim, config.num_labels)

    def forward(self, input_ids, attention_mask):
        return self.classifier(self.distilbert(input_ids, attention_mask))


class QuestionAnswering(torch.nn.Module):
    def __init__(self, config):
        super().__init__()
        self.distilbert = etm.DistilBertModel(config)
        self.qa_outputs = torch.nn.Linear(config.dim, 2)

    def forward(self, input_ids, attention_mask):
        logits = self.qa_outputs(self.distilbert(input_ids, attention_mask))
        start, end = logits.split(1, dim=-1)
        return start.squeeze(-1), end.squeeze(-1)


class SequenceClassification(torch.nn.Module):
    def __init__(self, config):
        super().__init__()
        self.distilbert = etm.DistilBertModel(config)
        self.pre_classifier = torch.nn.Linear(config.dim, config.dim)
        self.classifier = torch.nn.Linear(config.dim, config.num_labels)

    def forward(self, input_ids, attention_mask):
        h = self.distilbert(input_ids, attention_mask)[:, 0]
        return self.classifier(torch.relu(self.pre_classifier(h)))


def labels(names):
    return {"id2label": {str(i): n for i, n in enumerate(names)}, "label2id": {n: i for i, n in enumerate(names)},
            "num_labels": len(names)}


def build(cls, config, seed, last, scale):
    torch.manual_seed(seed)
    m = cls(config)
    etm.randomize_(m, seed)
    with torch.no_grad():
        getattr(m, last).weight.mul_(scale)
    m.eval()
    return m


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(mtm.ROOT, "tests/pipelines/data"))
    ap.add_argument("--shared", default=os.path.join(mtm.ROOT, "..", "shared"))
    a = ap.parse_args()
    torch.set_num_threads(1)
    bert_dir = os.path.join(a.shared, "tokenizers", "bert-base-uncased")
    vocab = mtm.small_vocab(bert_dir, os.path.join(a.shared, "data", "sst2", "dev.tsv"))
    tok = mtm.tokenizer_json(bert_dir, vocab)
    base = etm.Config(etm.CONFIGS["distilbert"], vocab_size=len(vocab), max_position_embeddings=64)

    cfg = etm.Config(base, architectures=["DistilBertForTokenClassification"], **labels(NER_LABELS))
    mtm.write_folder(a.out, "distilbert_ner", build(TokenClassification, cfg, 11, "classifier", 6.0), cfg, vocab, tok,
                     ["logits"])
    cfg = etm.Config(base, architectures=["DistilBertForQuestionAnswering"])
    mtm.write_folder(a.out, "distilbert_qa", build(QuestionAnswering, cfg, 12, "qa_outputs", 6.0), cfg, vocab, tok,
                     ["start_logits", "end_logits"])
    cfg = etm.Config(base, architectures=["DistilBertForSequenceClassification"], **labels(NLI_LABELS))
    mtm.write_folder(a.out, "distilbert_nli", build(SequenceClassification, cfg, 13, "classifier", 6.0), cfg, vocab,
                     tok, ["logits"])
    print(f"wrote {a.out}/distilbert_ner, distilbert_qa, distilbert_nli (vocab {len(vocab)})")


if __name__ == "__main__":
    main()
