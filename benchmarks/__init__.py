"""Benchmarks and chaos runs (make bench, make chaos): figures anyone can reproduce."""
