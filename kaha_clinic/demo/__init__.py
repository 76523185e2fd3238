"""An example Django site serving kaha_clinic: `python -m kaha_clinic.demo --port P --token T`.

It exists so a counter in TEST mode can sync with a real Django server on one machine, and so the
contract tests can run against one. A clinic's own site mounts `kaha_clinic.urls` instead.
"""
