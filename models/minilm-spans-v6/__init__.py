"""The files of the unspin model minilm-spans.v6."""
