"""Mutation testing of Kaha's core, module by module, each against its own fast tests.

Two kinds of mutant are tried:

- **mutmut** (3.x) mutants: mutmut changes code *inside functions* (operators, comparisons,
  constants, arguments, ``and``/``or``, ...). Each module gets its own throw-away copy of the
  project under ``build/mutate/<name>`` with a ``[tool.mutmut]`` section naming that one module
  and its test files, and ``mutmut run --max-children 1`` is run there (one worker: the machine
  is shared).
- **table** mutants: mutmut never touches module-level or class-level code, where Kaha keeps
  its money rules as tables (the attempt's ``TRANSITIONS``, the status maps, the retry and
  timeout defaults, the parse limits). Here each dict entry is deleted, each dict value is
  swapped for every other value of the same dict, each element of a literal tuple or set is
  deleted and each number is raised by one, one at a time; the module is rewritten
  (``ast.unparse``) and its tests run once per change.

A mutant is **message-only** when everything it changes lies inside the arguments of a call
that builds an exception (a callee named ``...Error``, ``...Exception``, ``IllegalTransition``)
or writes a log line (``log.*``/``logger.*``), or it changes a table whose values are all
text. Every other mutant is a **logic** mutant. The table prints both scores; survivors are
listed with what they change.

Usage: ``python scripts/mutate.py [--only NAME ...] [--keep]`` (``make mutate``).
"""

from __future__ import annotations

import argparse
import ast
import copy
import json
import os
import shutil
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "build" / "mutate"
VENV_BIN = Path(sys.executable).parent
UNIT = "tests/unit"


@dataclass(frozen=True)
class Target:
    name: str
    module: str  # path under the repository root
    tests: tuple[str, ...]
    # Only these functions count (the module's pure decisions; the rest has integration tests
    # only, which are too slow to run per mutant). Empty: the whole module.
    functions: tuple[str, ...] = ()


TARGETS: tuple[Target, ...] = (
    Target(
        "attempt",
        "pos_app/domain/attempt.py",
        (  # the fastest killers first: each run stops at the first failure (-x)
            f"{UNIT}/domain/test_attempt_table.py",
            f"{UNIT}/domain/test_attempt_fields.py",
            f"{UNIT}/domain/test_paymongo_status.py",
            f"{UNIT}/domain/test_attempt.py",
        ),
    ),
    Target(
        "money",
        "pos_app/domain/money.py",
        (f"{UNIT}/domain/test_money.py", f"{UNIT}/domain/test_money_edges.py"),
    ),
    Target(
        "discount",
        "pos_app/domain/discount.py",
        (f"{UNIT}/domain/test_discount.py", f"{UNIT}/domain/test_discount_edges.py"),
    ),
    Target(
        "webhooks",
        "pos_app/paymongo/webhooks.py",
        (f"{UNIT}/paymongo/test_webhooks.py", f"{UNIT}/paymongo/test_webhook_signature_edges.py"),
    ),
    Target(
        "retry",
        "pos_app/paymongo/retry.py",
        (f"{UNIT}/paymongo/test_retries.py", f"{UNIT}/paymongo/test_retry_defaults.py"),
    ),
    Target(
        "paymongo_errors",
        "pos_app/paymongo/errors.py",
        (f"{UNIT}/paymongo/test_errors.py", f"{UNIT}/paymongo/test_error_edges.py"),
    ),
    Target(
        "tender",
        "pos_app/domain/tender.py",
        (f"{UNIT}/domain/test_bill_tender.py", f"{UNIT}/domain/test_domain_edges.py"),
    ),
    Target(
        "bill",
        "pos_app/domain/bill.py",
        (f"{UNIT}/domain/test_bill_tender.py", f"{UNIT}/domain/test_domain_edges.py"),
    ),
    Target(
        "bill_summary",
        "pos_app/domain/bill_summary.py",
        (f"{UNIT}/domain/test_bill_tender.py", f"{UNIT}/domain/test_domain_edges.py"),
    ),
    Target(
        "invoice",
        "pos_app/domain/invoice.py",
        (f"{UNIT}/domain/test_invoice_refund.py", f"{UNIT}/domain/test_domain_edges.py"),
    ),
    Target(
        "refund",
        "pos_app/domain/refund.py",
        (f"{UNIT}/domain/test_invoice_refund.py", f"{UNIT}/domain/test_domain_edges.py"),
    ),
    Target(
        "roles",
        "pos_app/domain/roles.py",
        (f"{UNIT}/domain/test_roles.py", f"{UNIT}/domain/test_domain_edges.py"),
    ),
    Target("domain_errors", "pos_app/domain/errors.py", (f"{UNIT}/domain/test_clock_errors.py",)),
    Target("clock", "pos_app/domain/clock.py", (f"{UNIT}/domain/test_clock_errors.py",)),
    # The collect flows' decisions: when the monitor next looks at an open payment, which flow
    # an attempt belongs to, what the patient is shown, which lines a checkout page lists.
    Target(
        "poll_policy",
        "pos_app/services/poll_policy.py",
        (f"{UNIT}/services/test_poll_policy.py", f"{UNIT}/services/test_poll_policy_defaults.py"),
    ),
    Target(
        "collect_sources",
        "pos_app/services/collect/sources.py",
        (f"{UNIT}/services/test_collect_decisions.py",),
        ("is_source_attempt",),
    ),
    Target(
        "collect_intents",
        "pos_app/services/collect/intents.py",
        (f"{UNIT}/services/test_collect_decisions.py",),
        ("_not_attached",),
    ),
    Target(
        "collect_display",
        "pos_app/services/collect/display.py",
        (f"{UNIT}/services/test_collect_decisions.py",),
    ),
    Target(
        "collect_checkout",
        "pos_app/services/collect/checkout.py",
        (f"{UNIT}/services/test_collect_decisions.py",),
        ("line_items",),
    ),
    # Invoice numbering runs in the database's transaction: its tests need SQLite (~10 s a run).
    Target(
        "invoice_numbering",
        "pos_app/storage/repositories/invoices.py",
        ("tests/integration/storage/test_invoice_series.py",),
    ),
)

# mutmut's own meaning of a test run's exit code (mutmut/stats.py), reduced to three outcomes.
_KILLED_CODES = {1, 3, 36, 37, -24, 24, 152, 255, -11, -9}
_SURVIVED_CODES = {0}
_NO_TESTS_CODES = {5, 33}

_PYTEST_ARGS = ["-p", "no:cacheprovider", "-q", "-x", "--hypothesis-seed=0"]
_MESSAGE_CALLEES = ("Error", "Exception", "Transition", "Warning")
_LOG_OBJECTS = {"log", "logger", "logging"}


@dataclass
class Mutant:
    key: str
    kind: str  # "mutmut" or "table"
    logic: bool
    outcome: str  # "killed", "survived", "no tests", "not run"
    change: str


@dataclass
class Report:
    target: Target
    mutants: list[Mutant] = field(default_factory=list)
    seconds: float = 0.0

    def count(self, *, logic_only: bool = False) -> tuple[int, int, int]:
        chosen = [m for m in self.mutants if m.logic or not logic_only]
        killed = sum(m.outcome == "killed" for m in chosen)
        survived = sum(m.outcome in {"survived", "no tests"} for m in chosen)
        return len(chosen), killed, survived


# --- workspace ------------------------------------------------------------------------------------


def prepare(target: Target) -> Path:
    work = WORK / target.name
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis")
    for folder in ("pos_app", "pos_sandbox", "tests"):
        shutil.copytree(ROOT / folder, work / folder, ignore=ignore)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    pytest_options = project["tool"]["pytest"]["ini_options"]
    lines = ["[tool.pytest.ini_options]"]
    lines += [f"{key} = {json.dumps(value)}" for key, value in pytest_options.items()]
    lines += [
        "",
        "[tool.mutmut]",
        'source_paths = ["pos_app"]',
        'also_copy = ["pos_sandbox"]',
        f"only_mutate = {json.dumps([target.module])}",
        f"pytest_add_cli_args_test_selection = {json.dumps(list(target.tests))}",
        f"pytest_add_cli_args = {json.dumps(_PYTEST_ARGS[:-2])}",
        "use_git_change_detection = false",
    ]
    (work / "pyproject.toml").write_text("\n".join(lines) + "\n", "utf-8")
    return work


def _env(work: Path) -> dict[str, str]:
    # No .pyc files: a table change of the same size written within the same second as the
    # one before would otherwise be run from the previous change's stale bytecode.
    env = dict(
        os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(work), PYTHONDONTWRITEBYTECODE="1"
    )
    env.pop("PYTEST_ADDOPTS", None)
    return env


# --- mutmut mutants -------------------------------------------------------------------------------


def run_mutmut(target: Target, work: Path) -> list[Mutant]:
    log = work / "mutmut.log"
    with log.open("w") as out:
        done = subprocess.run(  # noqa: S603 -- our own fixed command line
            ["nice", "-n", "10", str(VENV_BIN / "mutmut"), "run", "--max-children", "1"],  # noqa: S607
            cwd=work,
            env=_env(work),
            stdout=out,
            stderr=subprocess.STDOUT,
            check=False,
        )
    meta_path = work / "mutants" / (target.module + ".meta")
    # mutmut stops with an error when the tests cover none of the module's functions: then
    # every mutant counts as a survivor with no tests.
    uncovered = "could not find any test case" in log.read_text("utf-8", errors="replace")
    if (done.returncode != 0 and not uncovered) or not meta_path.exists():
        raise SystemExit(f"mutmut failed for {target.name}; see {log}")
    codes: dict[str, int | None] = json.loads(meta_path.read_text("utf-8"))["exit_code_by_key"]
    functions = _functions(work / "mutants" / target.module)
    mutants = []
    for key, code in sorted(codes.items(), key=lambda item: _natural(item[0])):
        name = key.rsplit(".", 1)[-1]
        if target.functions and _pretty(name).split("#")[0] not in target.functions:
            continue
        original = functions.get(name.rsplit("__mutmut_", 1)[0] + "__mutmut_orig")
        mutated = functions.get(name)
        logic, change = True, name
        if original is not None and mutated is not None:
            logic = not _message_only(original, mutated)
            change = f"{_pretty(name)}: {_changed_line(original, mutated)}"
        mutants.append(Mutant(key, "mutmut", logic, _outcome(code, uncovered=uncovered), change))
    return mutants


def _natural(key: str) -> tuple[str, int]:
    head, _, number = key.rpartition("__mutmut_")
    return head, int(number) if number.isdigit() else -1


def _pretty(name: str) -> str:
    head = name.rsplit("__mutmut_", 1)
    return head[0].removeprefix("x_").replace("xǁ", "").replace("ǁ", ".") + "#" + head[1]


def _outcome(code: int | None, *, uncovered: bool = False) -> str:
    if code is None:
        return "no tests" if uncovered else "not run"
    if code in _KILLED_CODES:
        return "killed"
    if code in _NO_TESTS_CODES:
        return "no tests"
    return "survived" if code in _SURVIVED_CODES else "killed"


def _functions(path: Path) -> dict[str, ast.FunctionDef]:
    tree = ast.parse(path.read_text("utf-8"))
    found: dict[str, ast.FunctionDef] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and "__mutmut_" in node.name:
            found[node.name] = node
    return found


def _changed_line(original: ast.FunctionDef, mutated: ast.FunctionDef) -> str:
    before = ast.unparse(_renamed(original)).splitlines()
    after = ast.unparse(_renamed(mutated)).splitlines()
    for old, new in zip(before, after, strict=False):
        if old != new:
            return f"{old.strip()}  ->  {new.strip()}"
    if len(before) != len(after):
        return "line removed" if len(after) < len(before) else "line added"
    return "(no visible change)"


def _renamed(node: ast.FunctionDef) -> ast.FunctionDef:
    clone = copy.deepcopy(node)
    clone.name = "f"
    return clone


def _differences(
    a: ast.AST, b: ast.AST, chain: tuple[ast.AST, ...]
) -> Iterator[tuple[ast.AST, ...]]:
    """The ancestor chains (in ``a``) of every smallest place where ``a`` and ``b`` differ."""
    if type(a) is not type(b):
        yield (*chain, a)
        return
    for name, value in ast.iter_fields(a):
        other = getattr(b, name, None)
        if isinstance(value, ast.AST) and isinstance(other, ast.AST):
            yield from _differences(value, other, (*chain, a))
        elif isinstance(value, list) and isinstance(other, list):
            if len(value) != len(other):
                yield (*chain, a)
                continue
            for x, y in zip(value, other, strict=True):
                if isinstance(x, ast.AST) and isinstance(y, ast.AST):
                    yield from _differences(x, y, (*chain, a))
                elif x != y:
                    yield (*chain, a)
        elif value != other and name not in {"name"}:
            yield (*chain, a)


def _is_message_call(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    if isinstance(func, ast.Name):
        return func.id.endswith(_MESSAGE_CALLEES)
    if isinstance(func, ast.Attribute):
        if isinstance(func.value, ast.Name) and func.value.id in _LOG_OBJECTS:
            return True
        return func.attr.endswith(_MESSAGE_CALLEES)
    return False


def _message_only(original: ast.FunctionDef, mutated: ast.FunctionDef) -> bool:
    chains = list(_differences(original, mutated, ()))
    if not chains:
        return False
    for chain in chains:
        calls = [i for i, node in enumerate(chain) if _is_message_call(node)]
        if not calls:
            return False
        call = chain[calls[-1]]
        assert isinstance(call, ast.Call)
        below = chain[calls[-1] + 1] if calls[-1] + 1 < len(chain) else call
        if below is call.func:
            return False
    return True


# --- table mutants --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TableChange:
    label: str
    logic: bool
    tree: ast.Module


def table_changes(source: str) -> Iterator[TableChange]:
    """Each one-at-a-time change to a module-level or class-level table or number."""
    tree = ast.parse(source)
    for path in _table_statements(tree):
        statement = _follow(tree, path)
        target = ast.unparse(
            statement.targets[0] if isinstance(statement, ast.Assign) else statement.target
        )
        value = statement.value
        if value is None or target.startswith("__"):
            continue
        if isinstance(value, ast.Constant) and _is_number(value.value):
            label = f"{target}: {value.value!r} -> +1"
            yield _change(tree, path, ("value",), label, logic=True, edit=_plus_one)
            continue
        for sub_path, node in _literal_nodes(value, ("value",)):
            yield from _literal_changes(tree, path, sub_path, node, target)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _table_statements(tree: ast.Module) -> Iterator[tuple[object, ...]]:
    for i, node in enumerate(tree.body):
        if isinstance(node, ast.Assign | ast.AnnAssign):
            yield ("body", i)
        elif isinstance(node, ast.ClassDef):
            for j, inner in enumerate(node.body):
                if isinstance(inner, ast.Assign | ast.AnnAssign):
                    yield ("body", i, "body", j)


def _follow(node: object, path: tuple[object, ...]) -> ast.Assign | ast.AnnAssign:
    for step in path:
        node = node[step] if isinstance(step, int) else getattr(node, str(step))  # type: ignore[index]
    return node  # type: ignore[return-value]


def _literal_nodes(
    node: ast.AST, path: tuple[object, ...]
) -> Iterator[tuple[tuple[object, ...], ast.AST]]:
    """Dict, tuple, set and list literals in an expression (not inside comprehensions)."""
    if isinstance(node, ast.Dict | ast.Tuple | ast.Set | ast.List):
        yield path, node
    if isinstance(node, ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp | ast.Lambda):
        return
    for name, value in ast.iter_fields(node):
        if isinstance(value, ast.AST):
            yield from _literal_nodes(value, (*path, name))
        elif isinstance(value, list):
            for k, item in enumerate(value):
                if isinstance(item, ast.AST):
                    yield from _literal_nodes(item, (*path, name, k))


def _literal_changes(
    tree: ast.Module, path: tuple[object, ...], sub: tuple[object, ...], node: ast.AST, target: str
) -> Iterator[TableChange]:
    if isinstance(node, ast.Dict):
        texts = all(isinstance(v, ast.Constant) and isinstance(v.value, str) for v in node.values)
        for k, key in enumerate(node.keys):
            shown = "**" + ast.unparse(node.values[k]) if key is None else ast.unparse(key)
            yield _change(
                tree, path, sub, f"{target}: delete {shown}", logic=not texts, edit=_delete_entry(k)
            )
        if texts:
            return
        values = {ast.dump(v): v for v in node.values if not isinstance(v, ast.Dict | ast.DictComp)}
        for k, key in enumerate(node.keys):
            if key is None or isinstance(node.values[k], ast.Dict | ast.DictComp):
                continue
            for dumped, other in values.items():
                if dumped != ast.dump(node.values[k]):
                    label = f"{target}: {ast.unparse(key)} -> {ast.unparse(other)}"
                    yield _change(tree, path, sub, label, logic=True, edit=_swap_value(k, other))
    elif isinstance(node, ast.Tuple | ast.Set | ast.List) and len(node.elts) > 1:
        if not all(isinstance(e, ast.Constant | ast.Attribute | ast.Name) for e in node.elts):
            return
        for k, element in enumerate(node.elts):
            label = f"{target}: drop {ast.unparse(element)}"
            yield _change(tree, path, sub, label, logic=True, edit=_delete_element(k))


def _change(
    tree: ast.Module,
    path: tuple[object, ...],
    sub: tuple[object, ...],
    label: str,
    *,
    logic: bool,
    edit: Edit,
) -> TableChange:
    clone = copy.deepcopy(tree)
    holder = _follow(clone, path)
    *parents, last = sub
    node: object = holder
    for step in parents:
        node = node[step] if isinstance(step, int) else getattr(node, str(step))  # type: ignore[index]
    if isinstance(last, int):
        node[last] = edit(node[last])  # type: ignore[index]
    else:
        setattr(node, str(last), edit(getattr(node, str(last))))
    return TableChange(label, logic, clone)


def _plus_one(node: ast.Constant) -> ast.Constant:
    assert isinstance(node.value, int | float)
    return ast.Constant(node.value + 1)


Edit = Callable[[Any], ast.AST]


def _delete_entry(k: int) -> Edit:
    def edit(node: ast.Dict) -> ast.Dict:
        return ast.Dict(
            keys=node.keys[:k] + node.keys[k + 1 :], values=node.values[:k] + node.values[k + 1 :]
        )

    return edit


def _swap_value(k: int, other: ast.expr) -> Edit:
    def edit(node: ast.Dict) -> ast.Dict:
        values = list(node.values)
        values[k] = copy.deepcopy(other)
        return ast.Dict(keys=list(node.keys), values=values)

    return edit


def _delete_element(k: int) -> Edit:
    def edit(node: ast.Tuple | ast.Set | ast.List) -> ast.AST:
        elts = node.elts[:k] + node.elts[k + 1 :]
        if isinstance(node, ast.Set):
            return ast.Set(elts=elts)
        return type(node)(elts=elts, ctx=node.ctx)

    return edit


_FORK_RUNNER = """
import os, sys
import pytest, hypothesis  # imported once here; pos_app is imported fresh by each child
args = sys.argv[1:]
for line in sys.stdin:
    pid = os.fork()
    if pid == 0:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        os._exit(int(pytest.main(args)))
    _, status = os.waitpid(pid, 0)
    print(os.waitstatus_to_exitcode(status), flush=True)
"""


def run_tables(target: Target, work: Path) -> list[Mutant]:
    """Each table change, one at a time; a forked pytest per change (no start-up cost each)."""
    module = work / target.module
    original = module.read_text("utf-8")
    runner = subprocess.Popen(  # noqa: S603 -- our own fixed command line
        [  # noqa: S607
            "nice",
            "-n",
            "10",
            str(VENV_BIN / "python"),
            "-c",
            _FORK_RUNNER,
            *_PYTEST_ARGS,
            *target.tests,
        ],
        cwd=work,
        env=_env(work),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert runner.stdin is not None
    assert runner.stdout is not None

    def run_tests() -> int:
        runner.stdin.write("run\n")  # type: ignore[union-attr]
        runner.stdin.flush()  # type: ignore[union-attr]
        return int(runner.stdout.readline())  # type: ignore[union-attr]

    mutants = []
    try:
        module.write_text(ast.unparse(ast.parse(original)) + "\n", "utf-8")
        if run_tests() != 0:
            raise SystemExit(f"{target.name}: the tests fail on the unchanged (re-written) module")
        for n, change in enumerate(table_changes(original), start=1):
            module.write_text(ast.unparse(ast.fix_missing_locations(change.tree)) + "\n", "utf-8")
            outcome = {0: "survived", 5: "no tests"}.get(run_tests(), "killed")
            mutants.append(Mutant(f"table_{n}", "table", change.logic, outcome, change.label))
    finally:
        module.write_text(original, "utf-8")
        runner.stdin.close()
        runner.wait()
    return mutants


# --- report ---------------------------------------------------------------------------------------


def _score(killed: int, tried: int) -> str:
    return f"{100 * killed / tried:5.1f}%" if tried else "    -"


def print_table(reports: list[Report]) -> None:
    header = (
        f"{'module':<42} {'tried':>5} {'killed':>6} {'surv.':>5} {'score':>6}"
        f" | {'logic':>5} {'killed':>6} {'surv.':>5} {'score':>6} {'secs':>5}"
    )
    print(header)
    print("-" * len(header))
    for report in reports:
        tried, killed, survived = report.count()
        ltried, lkilled, lsurvived = report.count(logic_only=True)
        print(
            f"{report.target.module:<42} {tried:>5} {killed:>6} {survived:>5}"
            f" {_score(killed, tried)}"
            f" | {ltried:>5} {lkilled:>6} {lsurvived:>5} {_score(lkilled, ltried)}"
            f" {report.seconds:>5.0f}"
        )
    print()
    for report in reports:
        left = [m for m in report.mutants if m.outcome not in {"killed"}]
        if not left:
            continue
        print(f"survivors in {report.target.module}:")
        for mutant in sorted(left, key=lambda m: (not m.logic, m.kind)):
            kind = "logic" if mutant.logic else "message"
            print(f"  [{kind:7}] [{mutant.kind}] {mutant.outcome:8} {mutant.change}")
        print()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=[], help="target names (default: all)")
    parser.add_argument("--no-tables", action="store_true", help="mutmut mutants only")
    parser.add_argument("--keep", action="store_true", help="keep build/mutate/<name> afterwards")
    args = parser.parse_args(argv)
    unknown = set(args.only) - {t.name for t in TARGETS}
    if unknown:
        parser.error(f"unknown targets {sorted(unknown)}; known: {[t.name for t in TARGETS]}")
    chosen = [t for t in TARGETS if not args.only or t.name in args.only]
    reports = []
    for target in chosen:
        print(f"mutating {target.module} against {len(target.tests)} test file(s)...", flush=True)
        started = time.monotonic()
        work = prepare(target)
        report = Report(target, run_mutmut(target, work))
        if not args.no_tables:
            report.mutants += run_tables(target, work)
        report.seconds = time.monotonic() - started
        reports.append(report)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print()
    print_table(reports)
    summary = {r.target.name: [m.__dict__ for m in r.mutants] for r in reports}
    WORK.mkdir(parents=True, exist_ok=True)
    (WORK / "summary.json").write_text(json.dumps(summary, indent=1, ensure_ascii=False), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
