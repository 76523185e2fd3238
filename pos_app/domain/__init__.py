"""Pure domain core: money, bills, tenders, payment attempts, discounts, roles and the error tree.

No Qt, no httpx, no SQLAlchemy, no other ``pos_app`` package, and no clock reads (a ``Clock`` is
passed in).

Import from the modules themselves (``pos_app.domain.money`` ...): the package re-exports nothing,
so reading one small type at start-up does not load the whole core before the window is drawn.
"""
