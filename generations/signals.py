"""Signals other apps listen to. Sent after the transaction that caused them commits."""

from django.dispatch import Signal

# Sent with ``generation`` (a Generation in a final status) once, when it ends.
generation_finished = Signal()
