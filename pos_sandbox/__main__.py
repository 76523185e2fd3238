"""`pos-sandbox` / `python -m pos_sandbox`: serve the PayMongo and clinic stand-ins on loopback.

Runs until interrupted (Ctrl+C); with `--data` the state is saved on exit (and PayMongo's
continuously) and restored on the next start.
"""

from __future__ import annotations

import argparse
import signal
import threading
from pathlib import Path

from pos_sandbox.server import SandboxServer


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="pos-sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--paymongo-port", type=int, default=0, help="PayMongo port (0: any free)")
    parser.add_argument("--clinic-port", type=int, default=0, help="clinic port (0: any free)")
    parser.add_argument("--data", type=Path, default=None, help="file keeping state across runs")
    parser.add_argument("--seed", type=int, default=0, help="seed for ids and demo data")
    parser.add_argument("--clinic-token", default=None, help="clinic API token (default: random)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    server = SandboxServer(
        host=args.host,
        paymongo_port=args.paymongo_port,
        clinic_port=args.clinic_port,
        data_path=args.data,
        seed=args.seed,
        clinic_token=args.clinic_token,
    )
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    server.start()
    print(f"PayMongo sandbox: {server.paymongo_url}/v1", flush=True)
    print(f"Clinic sandbox:   {server.clinic_url}/api", flush=True)
    print(f"Clinic token:     {server.clinic_token}", flush=True)
    print("Any well-formed sk_test_/pk_test_ key works. Ctrl+C stops.", flush=True)
    try:
        stop.wait()
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
