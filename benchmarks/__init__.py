"""Benchmarks that print figures: index build throughput, query latency, cold start, memory.

Run ``python -m benchmarks --help``. Nothing here is a unit test and nothing runs at import.
"""
