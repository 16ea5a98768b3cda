"""Lounge: a self-hosted social learning space for workplaces."""
