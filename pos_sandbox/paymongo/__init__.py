"""A stateful fake of the PayMongo v1 API, its hosted test pages and its webhook sender.

Public API: `PayMongoState` (objects, ledger, test controls), `PayMongoConfig` (knobs) and
`create_paymongo_app` (the Starlette app); `pos_sandbox.server.SandboxServer` serves it.
"""

from pos_sandbox.paymongo.app import create_paymongo_app
from pos_sandbox.paymongo.config import PayMongoConfig
from pos_sandbox.paymongo.state import PayMongoState

__all__ = ["PayMongoConfig", "PayMongoState", "create_paymongo_app"]
