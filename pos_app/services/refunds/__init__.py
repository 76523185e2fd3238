"""Refunds: money given back through PayMongo when it allows, otherwise by hand with a signed slip.

``port`` holds what the GUI sees (results and ``RefundPort``); ``RefundService`` in ``service``
does the work.
"""
