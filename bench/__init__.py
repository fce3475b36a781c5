"""Benchmarks that measure newsdedup stages on the shared evaluation data (`../shared/data`)."""
