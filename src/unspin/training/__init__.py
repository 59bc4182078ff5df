"""Training apart from the runtime: labelled data and the validation split, fine-tuning,
export to the runtime format, validation and threshold tuning (needs ``unspin[train]``).

Depends on ``unspin.detect`` (the same decoding code serves users and validation), never the
reverse; torch is imported only inside these modules' functions, so ``import unspin.training``
stays cheap. The modules import one another in one direction (listed from the bottom up), so
none needs a deferred import to dodge a circle:

    data.py        PTC folders / JSONL of labelled articles, the fixed validation split
    validate.py    SemEval scores of a Predictor on labelled articles, threshold search
    soft.py        a teacher's soft labels on disk, and the unlabelled articles they cover
    tagger.py      what every run builds on: base encoder, tokenizer, windows, heads, losses
    package.py     a model folder as an installable package (``unspin package``)
    export.py      int8 ONNX encoder + numpy head + config + model card, written as a package
    train_head.py  a new span classifier over a shipped model's frozen encoder
    teacher.py     ``unspin teacher``: a larger encoder fine-tuned, its soft labels written
    train.py       ``unspin train``: fine-tune the encoder and heads, resumable
    tune.py        ``unspin tune``: re-tuned thresholds as a new model version
"""
