"""The controls: each decided once, in one module, from facts every layer gathers.

One module per control (``net_01.py`` for NET-01), standard library only, holds
the control's decision: pure functions from *facts* (small typed values such as a
security group's ingress permissions, a bucket's policy document and name, a key
reference) to a ``verdict.Verdict``. Beside it, ``<module>_cases.py`` holds the
control's case table: resources in Pulumi-input form with the verdict every layer
must reach (``cases.Case``).

The layers only gather facts and call the decision:

* the CrossGuard pack (``policies/rules/``) from Pulumi inputs;
* our checkov checks (``policies/checkov/checks/``) from Terraform-plan values;
* the live audit (``compliance/audit/``) from boto3 answers.

So the pack stays self-contained for ``pulumi policy publish``, these modules load
inside checkov's own virtualenv, and the harness imports them with ``policies/``
on its path. Shared vocabulary: ``values`` (MISSING, UNKNOWN), ``verdict``,
``catalog`` (the one reader of ``controls.yaml``).
"""
