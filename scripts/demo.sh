#!/usr/bin/env bash
# The main job until the sentiment pipeline lands: run the committed DistilBERT sequence-classification test
# model (tests/models/data, exported from PyTorch by scripts/export_test_models.py) on its batch-1 inputs and
# print its logits next to PyTorch's. Needs scripts/build.sh to have run.
set -euo pipefail
cd "$(dirname "$0")/.."
model=tests/models/data/distilbert_seqcls_opset17
case_dir=$model/case_batch1
./build/onyx info "$model/model.onnx" | sed -n '1,8p'
echo "onyx logits:"
./build/onyx run "$model/model.onnx" -i input_ids=$case_dir/input_input_ids.npy \
  -i attention_mask=$case_dir/input_attention_mask.npy
echo "PyTorch logits (reference, $case_dir/output_logits.npy):"
/usr/bin/python3 -c "import numpy, sys; print(numpy.load(sys.argv[1]).tolist())" $case_dir/output_logits.npy
