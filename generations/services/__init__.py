"""Writes for generations, by seam: ``submission``, ``pipeline`` (a job's steps), ``gallery`` (actions)."""
