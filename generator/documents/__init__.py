"""Document builders, one module per kind, and the document model they produce (model.py)."""
