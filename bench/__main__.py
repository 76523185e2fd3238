"""``make bench``: run every benchmark and print one table of figures.

Each benchmark module has ``run() -> list[Figure]``. ``python -m bench NAME ...`` runs only those.
"""

from __future__ import annotations

import importlib
import platform
import sys
import time
import traceback

from bench.common import Figure

BENCHMARKS = (
    "bench.startup_bench",
    "bench.storage_bench",
    "bench.sandbox_bench",
    "bench.paymongo_client_bench",
    "bench.payment_bench",
    "bench.reconcile_bench",
    "bench.readings_bench",
    "bench.printing_bench",
    "bench.clinic_sync_bench",
    "bench.clinic_django_bench",
    "bench.clinic_stall_bench",
    "bench.ui_stall_bench",
)


def machine_line() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    import os

    system = f"{platform.system()} {platform.release()}"
    return f"{system}, {cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


def format_table(figures: list[tuple[str, Figure]]) -> str:
    rows = [("benchmark", "figure", "value", "target", "ok")]
    for module, fig in figures:
        verdict = "" if fig.ok is None else ("yes" if fig.ok else "NO")
        value = (
            f"{fig.value:,.3f} {fig.unit}".strip()
            if fig.value < 100
            else f"{fig.value:,.0f} {fig.unit}"
        )
        name = fig.name + (f" ({fig.note})" if fig.note else "")
        rows.append(
            (module.removeprefix("bench.").removesuffix("_bench"), name, value, fig.target, verdict)
        )
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = []
    for index, row in enumerate(rows):
        lines.append(" | ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
        if index == 0:
            lines.append("-+-".join("-" * width for width in widths))
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    wanted = [f"bench.{name.removeprefix('bench.')}" for name in argv] or list(BENCHMARKS)
    collected: list[tuple[str, Figure]] = []
    failures = 0
    for module_name in wanted:
        started = time.perf_counter()
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                print(f"[{module_name}: not written yet]", file=sys.stderr)
                continue
            raise
        try:
            figures: list[Figure] = module.run()
        except Exception:
            failures += 1
            print(f"[{module_name} failed]", file=sys.stderr)
            traceback.print_exc()
            continue
        collected.extend((module_name, fig) for fig in figures)
        print(f"[{module_name}: {time.perf_counter() - started:.1f} s]", file=sys.stderr)
    print(f"Machine: {machine_line()}")
    print(format_table(collected))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
