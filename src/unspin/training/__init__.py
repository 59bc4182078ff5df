"""Training apart from the runtime: labelled data and the validation split, fine-tuning,
export to the runtime format, validation and threshold tuning (needs ``unspin[train]``).

Depends on ``unspin.detect`` (the same decoding code serves users and validation), never the
reverse; torch is imported only inside these modules' functions, so ``import unspin.training``
stays cheap.

    data.py      PTC folders / JSONL of labelled articles, the fixed validation split
    train.py     ``unspin train``: fine-tune the encoder and heads, resumable
    export.py    int8 ONNX encoder + numpy head + config + model card
    validate.py  SemEval scores of a Predictor on labelled articles, threshold search
    tune.py      ``unspin tune``: re-tuned thresholds as a new model version
"""
