"""Benchmarks for `make bench`: summary quality (ROUGE on DUC 2003), speed and scale,
theme accuracy on the hand-labelled seeds. Not part of `make test`."""
