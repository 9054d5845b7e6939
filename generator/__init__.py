"""brevgen: documents for Danish municipal social services.

The data flows one way: load (loading.py) -> resolve and compute (phrases.py, deadlines.py,
documents/) -> check (checks.py) -> render (render/) -> write (output.py).
"""
