"""The files of the unspin model mpnet-spans.v1."""
