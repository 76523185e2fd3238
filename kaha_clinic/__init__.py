"""kaha_clinic: the clinic's side of Kaha, a reusable Django REST Framework app.

It serves the billing contract (/work/shared/reference/clinic-backend.md, docs/clinic-server.md)
that the front-desk counter (`pos_app.clinic`) speaks: bills to pull, payment results and refunds
to write back. Installed with `pip install kaha-pos[clinic]`; it never imports `pos_app`.
"""
