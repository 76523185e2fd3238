"""Issue 14 item 9: collect's flows and refunds share one small write-ahead part; the flows no
longer reach into CollectService's private helpers."""

from __future__ import annotations

import ast
from pathlib import Path

import pos_app.services.collect.service as collect_service
import pos_app.services.refunds.service as refund_service
from pos_app.services.write_ahead import WriteAhead

COLLECT = Path(collect_service.__file__).parent
FLOWS = ("intents.py", "sources.py", "checkout.py")
PRIVATE = {"_save", "_now", "_apply_observed", "_show"}


def _private_calls(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        f"{path.name}:{node.lineno} .{node.attr}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr in PRIVATE
    ]


def test_flows_do_not_call_collect_service_private_helpers() -> None:
    found = [call for name in FLOWS for call in _private_calls(COLLECT / name)]
    assert found == []


def test_collect_and_refunds_both_use_the_shared_write_ahead() -> None:
    assert vars(collect_service)["WriteAhead"] is WriteAhead
    assert vars(refund_service)["WriteAhead"] is WriteAhead
