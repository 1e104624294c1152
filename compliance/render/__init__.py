"""program -> graph.json, offline (Pulumi mocks with synthetic IDs and ARNs)."""

from compliance.render.build import render_graph

__all__ = ["render_graph"]
