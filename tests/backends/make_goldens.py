"""Regenerate tests/backends/goldens/*.json from ../shared/poml-examples/examples/*.poml.

    PYTHONPATH=. python tests/backends/make_goldens.py
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

from _wire import EXAMPLES, GOLDENS, bodies  # noqa: E402

if __name__ == "__main__":
    GOLDENS.mkdir(exist_ok=True)
    for example in sorted(EXAMPLES.glob("*.poml")):
        os.chdir(EXAMPLES)  # examples resolve assets relative to themselves
        out = bodies(example)
        (GOLDENS / f"{example.stem}.json").write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n")
        print(example.stem, {k: len(v["messages"]) for k, v in out.items()})
