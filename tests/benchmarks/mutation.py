"""Mutation score of the core modules: how many planted bugs the tests catch.

cosmic-ray enumerates the mutants of each module (a `<` made `<=`, an `and` made `or`, a
`break` made `continue`, ...). A sample of them is applied one at a time to a scratch copy of
the tree, and the module's tests run against it: a failing run kills the mutant, a passing run
lets it survive. Mutants listed in mutation_equivalents.toml beside this script behave exactly
like the original (a reason is given for each) and are left out of the score.

Not collected by pytest and not run in CI (a full run takes hours on two cores). Examples:

    python tests/benchmarks/mutation.py --module poml/styles.py --sample 30
    python tests/benchmarks/mutation.py --sample 20 --report /tmp/mutants.txt
    python tests/benchmarks/mutation.py --list-equivalents

Needs `pip install cosmic-ray==8.7.0`.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EQUIVALENTS = Path(__file__).with_name("mutation_equivalents.toml")

# Each core module (a file or a package) and the tests that judge its mutants: the unit tests
# that exercise it directly, fast enough that one mutant costs seconds, not minutes.
MODULES: dict[str, list[str]] = {
    "poml/syntax": ["tests/poml/test_parser.py", "tests/poml/test_lenient.py", "tests/poml/test_core_behaviours.py"],
    "poml/template": [
        "tests/poml/test_expressions_js.py",
        "tests/poml/test_sandbox_expressions.py",
        "tests/poml/test_expressions.py",
        "tests/poml/test_core_behaviours.py",
        "tests/poml/test_js_differential.py",
        "tests/poml/test_template_exact.py",
    ],
    "poml/styles.py": ["tests/poml/test_styles.py", "tests/poml/test_styles_index.py", "tests/poml/test_core_behaviours.py"],
    "poml/_files.py": ["tests/poml/test_files.py", "tests/poml/test_core_behaviours.py"],
    "poml/components": [
        "tests/poml/test_components.py",
        "tests/poml/test_components_e2e.py",
        "tests/poml/test_data_components.py",
        "tests/poml/test_core_behaviours.py",
    ],
    "renderers/_speakers.py": ["tests/renderers/test_speakers.py", "tests/renderers/test_formats.py",
                               "tests/renderers/test_doctests.py", "tests/poml/test_core_behaviours.py"],
    "renderers/_formats.py": ["tests/renderers/test_formats.py", "tests/renderers/test_writers.py",
                              "tests/renderers/test_doctests.py", "tests/poml/test_core_behaviours.py"],
    "renderers/_limits.py": ["tests/renderers/test_limits_properties.py", "tests/renderers/test_limits_exact.py",
                             "tests/renderers/test_doctests.py",
                             "tests/poml/test_core_behaviours.py"],
    # The model-backed tests of these two take minutes a run: their mutants are judged by the unit
    # tests of the pure pieces (joining kept words, packing) and by planning and scoring with a real
    # tokenizer and chosen probabilities in place of a model.
    "compressor/_default.py": ["tests/compressor/test_default_mode_units.py",
                               "tests/compressor/test_default_plan_finish.py"],
    "compressor/_batching.py": ["tests/compressor/test_default_mode_units.py"],
}

# What the scratch copy needs: the packages under test, the tests and the pytest configuration.
COPIED = ["poml", "renderers", "compressor", "backends", "tests", "pyproject.toml"]


@dataclass(frozen=True)
class Outcome:
    module: str
    path: str
    line: int
    operator: str
    killed: bool
    diff: str


def source_files(module: str, root: Path) -> list[Path]:
    target = root / module
    return sorted(target.rglob("*.py")) if target.is_dir() else [target]


def load_equivalents() -> list[dict]:
    if not EQUIVALENTS.exists():
        return []
    return tomllib.loads(EQUIVALENTS.read_text(encoding="utf-8")).get("equivalent", [])


def is_equivalent(equivalents: list[dict], rel_path: str, operator: str, line_text: str) -> bool:
    return any(
        entry["path"] == rel_path and entry["operator"] == operator and entry["code"].strip() == line_text.strip()
        for entry in equivalents
    )


def annotation_lines(path: Path) -> set[int]:
    """Lines of annotations Python never evaluates (the module has `from __future__ import
    annotations`): a mutant there (`X | None` made `X << None`) is equivalent by construction."""
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    future = any(isinstance(n, ast.ImportFrom) and n.module == "__future__" and any(a.name == "annotations" for a in n.names)
                 for n in tree.body)
    if not future:
        return set()
    spans = set()
    for node in ast.walk(tree):
        notes = []
        if isinstance(node, ast.arg | ast.AnnAssign) and node.annotation is not None:
            notes.append(node.annotation)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.returns is not None:
            notes.append(node.returns)
        for note in notes:
            spans.update(range(note.lineno, note.end_lineno + 1))
    return spans


def enumerate_mutants(files: list[Path]):
    """Every (file, operator, occurrence, line) cosmic-ray can make, via its own `init`."""
    from cosmic_ray.commands.init import init
    from cosmic_ray.work_db import WorkDB, use_db

    with tempfile.TemporaryDirectory() as tmp, use_db(Path(tmp) / "session.sqlite", WorkDB.Mode.create) as db:
        init(files, db, {})
        specs = [item.mutations[0] for item in db.pending_work_items]
    # The database hands them back in job-id (random) order: sort, so a seed draws the same sample.
    return sorted(specs, key=lambda m: (str(m.module_path), m.operator_name, m.occurrence))


def scratch_copy(destination: Path, root: Path = ROOT) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "node_modules", ".hypothesis")
    for name in COPIED:
        source = root / name
        if source.is_dir():
            shutil.copytree(source, destination / name, ignore=ignore)
        elif source.exists():
            shutil.copy2(source, destination / name)
    # The reference material the tests read (shared/lingua-data, the examples) is found beside the tree.
    for shared in (ROOT / "shared", ROOT.parent / "shared"):
        if shared.is_dir():
            (destination / "shared").symlink_to(shared, target_is_directory=True)
            break


def test_command(tests: list[str]) -> str:
    # Tests that time themselves would fail by load alone on a busy machine (a mutant that makes
    # the code hang is still killed, by the timeout of its run).
    return (f"{sys.executable} -m pytest -x -q -p no:cacheprovider -p no:randomly -p no:timeout "
            f"-k '{' and '.join('not ' + name for name in TIMED_TESTS)}' " + " ".join(tests))


TIMED_TESTS = ["fast", "quickly", "work_budget_bounds", "linear_time", "item_loops_are_bounded", "catastrophic",
               "runaway_recursion", "size_bombs"]


def run_module(module: str, sample: int, seed: int, timeout: float, equivalents: list[dict], scratch: Path) -> list[Outcome]:
    from cosmic_ray.mutating import mutate_and_test
    from cosmic_ray.testing import run_tests
    from cosmic_ray.work_item import TestOutcome, WorkerOutcome

    tests = [t for t in MODULES[module] if (scratch / t).exists()]
    if not tests:  # (an older tree without them): pytest with no paths would run the whole suite
        print(f"{module}: skipped, none of its tests exist in this tree", flush=True)
        return []
    command = test_command(tests)
    started = time.perf_counter()
    baseline, output = run_tests(command, timeout * 4)
    baseline_s = time.perf_counter() - started
    if baseline != TestOutcome.SURVIVED:
        print(f"{module}: skipped, its tests fail without any mutation:\n{output[-2000:]}", flush=True)
        return []
    mutants, unevaluated_skipped = [], 0
    unevaluated = {path: annotation_lines(path) for path in source_files(module, scratch)}
    for spec in enumerate_mutants(source_files(module, scratch)):
        if spec.start_pos[0] in unevaluated[spec.module_path]:
            unevaluated_skipped += 1
        else:
            mutants.append(spec)
    # Draw first, then set the listed equivalents aside: listing one does not change the sample.
    drawn = random.Random(seed).sample(mutants, min(sample, len(mutants))) if sample else mutants
    chosen = []
    for spec in drawn:
        lines = spec.module_path.read_text(encoding="utf-8").splitlines()
        text = lines[spec.start_pos[0] - 1] if spec.start_pos[0] <= len(lines) else ""
        if not is_equivalent(equivalents, spec.module_path.relative_to(scratch).as_posix(), spec.operator_name, text):
            chosen.append(spec)
    print(f"{module}: {len(mutants)} mutants ({unevaluated_skipped} in unevaluated annotations left out); "
          f"drew {len(drawn)} (seed {seed}), {len(drawn) - len(chosen)} listed as equivalent; "
          f"baseline {baseline_s:.1f} s", flush=True)
    outcomes = []
    for spec in chosen:
        result = mutate_and_test([spec], command, max(timeout, baseline_s * 3))
        if result.worker_outcome == WorkerOutcome.NO_TEST:
            continue
        rel = spec.module_path.relative_to(scratch).as_posix()
        outcomes.append(Outcome(module, rel, spec.start_pos[0], spec.operator_name, result.is_killed, result.diff or ""))
        mark = "killed " if result.is_killed else "SURVIVED"
        print(f"  {mark} {rel}:{spec.start_pos[0]} {spec.operator_name}", flush=True)
    return outcomes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--module", action="append", choices=sorted(MODULES), help="repeatable; default: all")
    parser.add_argument("--sample", type=int, default=20, help="mutants per module, drawn at random (0: all)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per mutant's test run")
    parser.add_argument("--report", type=Path, help="write each survivor's diff here")
    parser.add_argument("--tree", type=Path, default=ROOT,
                        help="the source tree to measure (default: this checkout), e.g. an unpacked older commit")
    parser.add_argument("--list-equivalents", action="store_true", help="print the excluded mutants and why")
    args = parser.parse_args()
    equivalents = load_equivalents()
    if args.list_equivalents:
        for entry in equivalents:
            print(f"{entry['path']}: {entry['operator']} on `{entry['code'].strip()}`\n    {entry['reason']}")
        return
    modules = args.module or list(MODULES)
    results: dict[str, list[Outcome]] = {}
    with tempfile.TemporaryDirectory(prefix="poml-mutation-") as tmp:
        scratch = Path(tmp)
        scratch_copy(scratch, args.tree.resolve())
        os.chdir(scratch)
        os.environ["PYTHONPATH"] = os.pathsep.join([str(scratch), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)
        os.environ["POML_HYPOTHESIS_PROFILE"] = "mutation"
        for module in modules:
            results[module] = run_module(module, args.sample, args.seed, args.timeout, equivalents, scratch)
    print("\nmodule                      killed / tested   score")
    for module, outcomes in results.items():
        if not outcomes:
            print(f"{module:28s}   (not measured)")
            continue
        killed = sum(o.killed for o in outcomes)
        score = 100 * killed / len(outcomes) if outcomes else 100.0
        print(f"{module:28s} {killed:6d} / {len(outcomes):<6d}  {score:5.1f}%")
    if args.report:
        survivors = [o for outcomes in results.values() for o in outcomes if not o.killed]
        args.report.write_text("\n\n".join(f"{o.path}:{o.line} {o.operator}\n{o.diff}" for o in survivors), encoding="utf-8")


if __name__ == "__main__":
    main()
