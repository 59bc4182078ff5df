"""unspin inside the tools people already use: Jupyter, pandas and spaCy.

    notebook.py    Jupyter: an Analysis shows as its HTML report, in a sandboxed frame
    tables.py      pandas: one Analysis (or several) as span and article DataFrames
    frames.py      pandas: ``analyze_frame(df)``, a column of texts -> spans + articles frames
    spacy_pipe.py  spaCy: the ``unspin`` pipeline component (``nlp.add_pipe("unspin")``)

Nothing heavy is imported here: pandas loads on the first frame, spaCy only when spaCy looks up
the ``unspin`` factory (the ``spacy_factories`` entry point) or ``spacy_pipe`` is imported.
"""
