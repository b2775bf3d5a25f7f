"""Analysis of shmcount's output, shared by scripts/plots.py and scripts/compare.py.

load (runs and result sets, checked) -> stats (every derived figure, once) -> figures (a registry)
and report (REPORT.md).
"""
