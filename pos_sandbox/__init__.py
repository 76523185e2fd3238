"""pos_sandbox: stateful local stand-ins for PayMongo and the clinic records server."""
