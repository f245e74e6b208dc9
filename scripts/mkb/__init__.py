"""mkb: the mkbench harness library (serial protocol, parsing, runs, results).

Used by scripts/bench.py, scripts/report.py and scripts/compare.py; each
module does one thing and can be read on its own.
"""
