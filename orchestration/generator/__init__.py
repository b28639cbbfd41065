"""Synthetic iJw 3.2 message traffic with a known answer (ground_truth.json), for demos, training and load tests.

A plain library (no Dagster): `python -m orchestration.generator --help`, or `make sample`. See docs/generator.md.
"""
