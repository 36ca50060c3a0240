#!/usr/bin/env bash
# The main job: sentiment of the reference workflow's sentence with the embedded default model
# (models/distilbert-sst2-tiny), as Hugging Face's pipeline("sentiment-analysis") would print it.
# Needs scripts/build.sh to have run.
set -euo pipefail
cd "$(dirname "$0")/.."
text="I am learning how to accelerate the inference of a language model using Huggingface's Optimum. I am wondering if it can bring some performance gain. I hope it does."
echo "onyx pipeline sentiment-analysis \"$text\""
./build/onyx pipeline sentiment-analysis "$text"
