"""Hostile inputs: time and peak memory of each, in a fresh process, against the contract.

    python tests/benchmarks/bench_limits.py [--only NAME]

The contract (issue "engine, second pass"): each input ends in under a second and under
200 MB, with output or a PomlError, and the process survives. Each case runs in its own
interpreter; the table shows the render's wall time, the peak RSS above the interpreter's
after `import poml`, and how it ended.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# Each case: (name, setup code run before timing, the render expression).
CASES = [
    ("let rebinding [d] in a 100k-item for",
     "ctx = {'items': list(range(100000))}",
     "poml.poml('<poml><let name=\"d\" value=\"{{ [] }}\"/><p for=\"i in items\"><let name=\"d\" value=\"{{ [d] }}\"/>x</p></poml>', context=ctx, chat=False)"),
    ("cyclic context",
     "ctx = {'a': {}}; ctx['a']['self'] = ctx",
     "poml.poml('<p>{{ JSON.stringify(a) }}</p>', context=ctx)"),
    ("include bomb (self x10, 10 deep)",
     "d = tmp / 'bomb.poml'; d.write_text('<poml>' + '<include src=\"bomb.poml\"/>' * 10 + '</poml>')",
     "poml.poml(d)"),
    ("[d, d] doubled 26 times, JSON.stringify",
     "m = '<poml><let name=\"d0\" value=\"{{ [1] }}\"/>' + ''.join(f'<let name=\"d{i+1}\" value=\"{{{{ [d{i}, d{i}] }}}}\"/>' for i in range(26)) + '<p>{{ JSON.stringify(d26).length }}</p></poml>'",
     "poml.poml(m)"),
    ("3,000 selectors x 3,000 elements",
     "import json as j; sheet = {f'p.c{i}': {'blankLine': True} for i in range(3000)}; m = '<poml>' + '<p className=\"x\">a</p>' * 3000 + '</poml>'",
     "poml.poml(m, stylesheet=sheet)"),
    ("10,000 context keys x 3,000 elements",
     "ctx = {f'k{i}': i for i in range(10000)}; m = '<poml>' + '<p>{{ k1 }}</p>' * 3000 + '</poml>'",
     "poml.poml(m, context=ctx)"),
    ("100,000 unknown tags (suggestions)",
     "m = '<poml>' + ''.join(f'<t{i}>x</t{i}>' for i in range(100000)) + '</poml>'",
     "poml.render_text(m, strict=False, lenient=False)"),
    ("a 1 MB tag name",
     "m = '<poml><' + 'a' * 1000000 + '>x</' + 'a' * 1000000 + '></poml>'",
     "poml.poml(m)"),
    ("regex literal that backtracks",
     "m = '<p>{{ /^(a+)+$/.test(\"' + 'a' * 40 + '!\") }}</p>'",
     "poml.poml(m)"),
    ("encodeURIComponent of 5 M characters",
     "m = '<p>{{ encodeURIComponent(\"\u00e9\".repeat(5000000)).length }}</p>'",
     "poml.poml(m)"),
    ("new Set of 10 M characters",
     "m = '<p>{{ [...new Set(\"a\".repeat(1e7))].length }}</p>'",
     "poml.poml(m)"),
    ("<folder filter> that backtracks",
     "(tmp / ('a' * 40 + '!')).write_text('x'); m = f'<folder src=\"{tmp}\" filter=\"^(a+)+$\"/>'",
     "poml.poml(m, roots=[tmp])"),
    ("xlsx claiming 16,384 x 1,048,576 cells",
     "from hostile._bombs import xlsx_claiming_every_cell; p = xlsx_claiming_every_cell(tmp)",
     "poml.poml(f'<table src=\"{p}\"/>', roots=[tmp])"),
    ("100 kB docx of a million paragraphs",
     "from hostile._bombs import docx_of_a_million_paragraphs; p = docx_of_a_million_paragraphs(tmp)",
     "poml.poml(f'<document src=\"{p}\"/>', roots=[tmp])"),
    ("75-byte PNG with resize=2500",
     "from hostile._bombs import tiny_png; p = tiny_png(tmp)",
     "poml.poml(f'<img src=\"{p}\" resize=\"2500\"/>', roots=[tmp])"),
    ("100,000 nested <p>",
     "m = '<p>' * 100000 + '</p>' * 100000",
     "poml.poml(m)"),
    ("300-deep JSON.parse",
     "m = '<p>{{ JSON.parse(\"' + '[' * 300 + ']' * 300 + '\") }}</p>'",
     "poml.poml(m)"),
    ("16 MB markup of one text run",
     "m = '<p>' + 'x' * (16 * 1024 * 1024) + '</p>'",
     "poml.poml(m)"),
    ("2.6 M attributes on one tag (16 MB)",
     "m = '<poml><p ' + 'a=\"1\" ' * (16 * 1024 * 1024 // 6 - 10) + '/></poml>'",
     "poml.poml(m)"),
    ("3.3 M entity references (16 MB)",
     "m = '<poml><p>' + '&amp;' * (16 * 1024 * 1024 // 5 - 10) + '</p></poml>'",
     "poml.poml(m)"),
    ("8 M bare '<' (16 MB of syntax errors)",
     "m = '<poml><p>' + '< ' * (8 * 1024 * 1024 - 10) + '</p></poml>'",
     "poml.poml(m)"),
    ("4 M unmatched </p> (16 MB)",
     "m = '<poml><p>' + '</p>' * (4 * 1024 * 1024 - 10) + '</p></poml>'",
     "poml.poml(m)"),
    ("3.3 M {{1}} in one text (16 MB)",
     "m = '<poml><p>' + '{{1}}' * (16 * 1024 * 1024 // 5 - 10) + '</p></poml>'",
     "poml.poml(m)"),
    ("1.4 M distinct {{ n }} (16 MB)",
     "m = '<poml><p>' + ''.join('{{%d}}' % i for i in range(16 * 1024 * 1024 // 12)) + '</p></poml>'",
     "poml.poml(m)"),
    ("a line of 300,000 unterminated {{",
     "m = '<poml><p>' + '{{ ' * 300000 + '</p></poml>'",
     "poml.render_text(m, strict=False)"),
    ("an error after 16 M newlines",
     "m = '<poml><p>' + chr(10) * (16 * 1024 * 1024 - 40) + '<b>x</p></poml>'",
     "poml.poml(m)"),
    ("8 M lines of text to collapse (16 MB)",
     "m = '<poml><p>' + ('a' + chr(10)) * (8 * 1024 * 1024 - 20) + '</p></poml>'",
     "poml.poml(m, chat=False)"),
    ("9,000 <cp> sections (27,000 IR elements)",
     "m = '<poml>' + '<cp caption=\"c\"><p>t</p></cp>' * 9000 + '</poml>'",
     "poml.poml(m)"),
    ("a table of 100,000 rows from an expression",
     "m = '<poml><table records=\"{{ Array.from({length: 100000}, (_, i) => ({a: i, b: i})) }}\"/></poml>'",
     "poml.poml(m)"),
    ("stylesheet of 100,000 rules",
     "import json as j; m = '<poml><stylesheet>' + j.dumps({f'p.c{i}': {'syntax': 'json'} for i in range(100000)}) + '</stylesheet><p>x</p></poml>'",
     "poml.poml(m)"),
    ("16 MB JSON array in a <let>",
     "m = '<poml><let name=\"x\">[' + '1,' * (8 * 1024 * 1024 - 100) + '1]</let><p>{{ x.length }}</p></poml>'",
     "poml.poml(m)"),
    ("a 1 MB value printed by a 10,000-copy loop",
     "ctx = {'x': 'a' * 1000000, 'items': list(range(10000))}",
     "poml.poml('<poml><p for=\"i in items\">{{ x }}</p></poml>', context=ctx, chat=False)"),
    ("a 1 MB object serialized by a 10,000-copy loop",
     "ctx = {'d': {'k': 'a' * 1000000}, 'items': list(range(10000))}",
     "poml.poml('<poml><object for=\"i in items\" data=\"{{ d }}\"/></poml>', context=ctx, chat=False)"),
    ("a 120 kB static section in a 10,000-copy loop, rendered twice",
     "ctx = {'items': list(range(10000))}; m = '<poml><cp for=\"i in items\" caption=\"c\">' + 'static text ' * 10000 + '</cp></poml>'\ntry:\n    poml.poml(m, context=ctx, chat=False)\nexcept poml.PomlError:\n    pass",
     "poml.poml(m, context=ctx, chat=False)"),
    ("a 1 MB image in a 10,000-copy loop (openai_chat)",
     "import os; from PIL import Image; Image.frombytes('RGB', (600, 600), os.urandom(600 * 600 * 3)).save(tmp / 'big.png'); ctx = {'items': list(range(10000))}",
     "poml.poml(f'<poml><img for=\"i in items\" src=\"{tmp}/big.png\"/></poml>', context=ctx, roots=[tmp], format='openai_chat')"),
    ("sort of 100,000 with a comparator",
     "m = '<p>{{ Array.from({length: 100000}, (_, i) => i).sort((a, b) => b - a).length }}</p>'",
     "poml.poml(m)"),
]

HANG_SECONDS = 30

RUNNER = r"""
import json, resource, sys, time, tempfile, warnings
from pathlib import Path
warnings.simplefilter("ignore")
sys.path.insert(0, sys.argv[2]); sys.path.insert(0, sys.argv[3])
import poml
tmp = Path(tempfile.mkdtemp())
exec(sys.argv[4])
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.perf_counter()
try:
    eval(sys.argv[5])
    outcome = "output"
except poml.PomlError as exc:
    outcome = type(exc).__name__ + ": " + str(exc).splitlines()[0].split(": error: ")[-1][:70]
took = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": took, "peak_mb": (peak - base) / 1024, "outcome": outcome}))
"""


def run_case(setup: str, expr: str) -> dict:
    try:
        proc = subprocess.run(
            [sys.executable, "-c", RUNNER, "", str(REPO), str(REPO / "tests" / "poml"), setup, expr],
            capture_output=True, text=True, timeout=HANG_SECONDS)
    except subprocess.TimeoutExpired:
        return {"seconds": float(HANG_SECONDS), "peak_mb": float("nan"), "outcome": f"HANG (killed after {HANG_SECONDS} s)"}
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
        return {"seconds": float("nan"), "peak_mb": float("nan"),
                "outcome": f"CRASHED (exit {proc.returncode}): {tail[:80]}"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="run the cases whose name contains this text")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs; limits: < 1 s and < 200 MB each")
    print(f"{'case':44} {'seconds':>8} {'peak MB':>8}  outcome")
    failures = 0
    for name, setup, expr in CASES:
        if args.only and args.only not in name:
            continue
        r = run_case(setup, expr)
        ok = r["seconds"] < 1.0 and r["peak_mb"] < 200 and not r["outcome"].startswith(("CRASHED", "HANG"))
        failures += not ok
        print(f"{name:44} {r['seconds']:8.3f} {r['peak_mb']:8.1f}  {'' if ok else 'OVER '}{r['outcome']}")
    print(f"{failures} over the limits")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
