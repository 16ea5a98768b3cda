"""Benchmarks. Each one measures Lounge and, in the same run, a bare baseline doing the same
job, and reports the ratio: absolute figures on a shared 2-core machine are too noisy alone."""
