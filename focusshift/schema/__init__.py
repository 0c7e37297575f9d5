"""The JSON Schemas of focusshift's JSON output (draft 2020-12), shipped inside the package.

- ``analysis-1``: ``focusshift analyze --format json/jsonl`` (schema id ``focusshift.analysis/1``):
  one result (a JSON Lines line, a golden file) or the array ``--format json`` prints.
- ``validate-1``: ``focusshift validate --format json``.
- ``evaluate-1``: ``focusshift evaluate --format json``.
- ``convokit-1``: a line of ``focusshift analyze --format convokit``.

docs/output.md describes every field and shows how to validate against them.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

NAMES = ("analysis-1", "validate-1", "evaluate-1", "convokit-1")


def load(name: str = "analysis-1") -> dict[str, Any]:
    """The schema `name` (e.g. "analysis-1") as a dict, ready for jsonschema.

    Read with importlib.resources so that a script (or a test) checks output
    against the contract of the installed version, wherever and however it is
    installed (a wheel, a zip, an editable checkout), with no path into the
    source tree.
    """
    if name not in NAMES:
        raise ValueError(f"unknown schema {name!r}; one of {', '.join(NAMES)}")
    text = resources.files(__name__).joinpath(f"{name}.schema.json").read_text("utf-8")
    return json.loads(text)


__all__ = ["NAMES", "load"]
