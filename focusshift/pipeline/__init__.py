"""spaCy side of focusshift: components, the pipeline builder and detection.

Importing this package does not import spaCy; `build_nlp` and `detect` do, so
that `focusshift --help` stays fast.
"""
