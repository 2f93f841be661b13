"""Instructions per render, counted by valgrind: a measure that does not move with the machine's load.

    python tests/benchmarks/bench_instructions.py [--against REV] [--warm] [--renders 20] [--examples 102,105]

On a shared machine a render's time varies by up to ±50% between runs, which hides a 5% change.
The number of CPU instructions a render executes does not (runs agree to about 0.5%): each
example is rendered ``--renders`` times under ``valgrind --tool=callgrind`` and once with no
renders, counting only inside the counted renders (after five uncounted ones), and the
difference is divided by the count. ``--against REV`` (a git revision) runs
the same renders with a checkout of that revision, in the same run, and prints new/REV.

The examples are those of bench_stages.py (they read no file); cold renders clear every
cache of the default Environment first (``clear_caches()``), ``--warm`` renders the same text
with a new context object each time (the "same" column of bench_render.py). The counted
renders run with the cyclic garbage collector off, so a collection that one run happens to
start is not counted as render work. Counts compare
versions, not machines: a render runs fewer instructions per nanosecond than a tight loop
(it waits on memory more), so they do not convert into time.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import describe  # noqa: E402

DEFAULT_EXAMPLES = ("102_render_xml", "105_write_blog_post", "106_research", "109_math_verifier",
                    "205_expense_check_compliance")

# Run inside valgrind: import the checkout at argv[1], render example argv[3] argv[4] times.
CHILD = r"""
import gc, json, os, sys
from pathlib import Path
repo, mode, name, count, examples = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
sys.path.insert(0, repo)
import poml
from poml._api import clear_caches
os.chdir(examples)
path = Path(name + ".poml")
ctx_file = Path(name + ".context.json")
ctx = json.loads(ctx_file.read_text()) if ctx_file.exists() else {}


def render(i):
    c = dict(ctx)
    c["bench_iteration"] = i
    if mode == "cold":
        clear_caches()
    poml.poml(path, context=c)


for i in range(5):  # five renders first: what a first call imports or compiles is not counted
    render(i)
# Counted renders run without the cyclic garbage collector (in the run with none too): its pauses
# fall wherever the allocation count puts them (one full collection inside ten warm renders of 204
# and not in the other version's moved the count 4x), and they are not work of the render.
gc.collect()
gc.disable()
# Only what runs inside this exec() is counted (callgrind --toggle-collect=builtin_exec*): the
# warm-up above is not, so its own variations (openpyxl's first load of an xlsx differs by ~10 M
# instructions between identical runs) stay out of the difference.
exec("for i in range(5, 5 + count):\n    render(i)")
"""


def _child_env() -> dict:
    env = dict(os.environ, PYTHONHASHSEED="0")  # the same dict layouts in every run
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # compiled modules are cached, not recompiled per run
    return env


def instructions(repo: Path, mode: str, name: str, count: int, examples: Path) -> int:
    env = _child_env()
    out = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", "--collect-atstart=no",
                          "--toggle-collect=builtin_exec*", sys.executable,
                          "-c", CHILD, str(repo), mode, name, str(count), str(examples)],
                         capture_output=True, text=True, env=env)
    found = re.search(r"Collected : (\d+)", out.stderr)
    if out.returncode or not found:
        sys.exit(f"valgrind run failed ({name}, {repo}):\n{out.stderr[-2000:]}")
    return int(found.group(1))


def per_render(repo: Path, mode: str, name: str, renders: int, examples: Path) -> float:
    # Once outside valgrind first: the checkout's modules are compiled and cached, so neither
    # count below includes compiling them.
    subprocess.run([sys.executable, "-c", CHILD, str(repo), mode, name, "0", str(examples)],
                   env=_child_env(), check=True)
    return (instructions(repo, mode, name, renders, examples) - instructions(repo, mode, name, 0, examples)) / renders


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--against", help="a git revision to compare with (checked out in a temporary worktree)")
    ap.add_argument("--warm", action="store_true", help="warm renders (same text, new context object) instead of cold")
    ap.add_argument("--renders", type=int, default=20)
    ap.add_argument("--examples", default=",".join(DEFAULT_EXAMPLES),
                    help="comma-separated example names (or their number prefixes)")
    args = ap.parse_args()
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (apt-get install valgrind): nothing to count with")
    examples = Path(os.environ.get("POML_EXAMPLES_DIR", REPO.parent / "shared" / "poml-examples")) / "examples"
    names = []
    for want in args.examples.split(","):
        match = sorted(p.stem for p in examples.glob(want.strip() + "*.poml"))
        if not match:
            sys.exit(f"no example named {want!r} in {examples}")
        names.append(match[0])
    mode = "warm" if args.warm else "cold"

    print(describe())
    print(f"Python {sys.version.split()[0]}; valgrind callgrind; {mode} renders, {args.renders} per count")

    with tempfile.TemporaryDirectory() as tmp:
        repos = [("this checkout", REPO)]
        if args.against:
            other = Path(tmp) / "against"
            subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", "-q", str(other), args.against],
                           check=True)
            repos.insert(0, (args.against, other))
        try:
            header = "".join(f"{label[:18]:>20s}" for label, _ in repos)
            print(f"\n{'example':30s}{header}   (million instructions per render)"
                  + ("   ratio" if len(repos) == 2 else ""))
            for name in names:
                counts = [per_render(repo, mode, name, args.renders, examples) for _, repo in repos]
                cells = "".join(f"{c / 1e6:18.3f} M" for c in counts)
                ratio = f"   {counts[1] / counts[0]:.3f}" if len(counts) == 2 else ""
                print(f"{name:30s}{cells}{ratio}", flush=True)
        finally:
            if args.against:
                subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(other)], check=False)


if __name__ == "__main__":
    main()
