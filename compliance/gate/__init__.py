"""The offline preview gate: the policy pack over the Analyzer gRPC protocol, as `pulumi preview` runs it.

``pack`` starts and stops the pack process, ``protocol`` turns graph.json into
Analyzer messages, ``config`` reconciles ``--policy-pack-config`` as the CLI
does, ``run`` drives one evaluation, ``results`` turns responses into findings,
``console`` prints them like the CLI, ``cli`` is ``python -m compliance gate``.
"""
