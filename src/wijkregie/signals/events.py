"""Domain events of the signals app, for other apps to react to without being imported here.

Events are sent after the transaction that caused them has committed, so a receiver never acts
on a change that is rolled back afterwards.
"""

from __future__ import annotations

from django.dispatch import Signal as Event

# kwargs: signal_id (int), from_status (str), to_status (str)
status_changed = Event()
