"""The controls' case tables, run through every layer: same case, same verdict, or the layer that disagrees.

``table`` collects the cases beside each decision module (``policies/controls/*_cases.py``);
``program`` turns them into one Pulumi program; ``run`` renders it once, gates it with
the real pack over gRPC, scans it once with checkov, deploys it once into the sandbox
and audits it, then reads each layer's verdict on each case's subject; ``cli`` is
``python -m compliance cases``.
"""
