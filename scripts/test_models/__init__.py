"""Plain-PyTorch re-implementations of the Hugging Face models that scripts/export_test_models.py exports
(one module per family; common.py holds the shared pieces)."""
