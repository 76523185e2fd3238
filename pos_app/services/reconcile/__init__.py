"""Reconciliation with PayMongo and the clinic's payouts (issue 16).

``ReconcileService`` lists PayMongo's payments and refunds and matches them with this counter's
attempts and tenders; ``ReconcileSchedule`` says when the window's timer should run it;
``PayoutService`` reads PayMongo's payouts with their payments, for the accountant's CSV.
"""
