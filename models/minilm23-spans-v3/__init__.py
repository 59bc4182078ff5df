"""The files of the unspin model minilm23-spans.v3."""
