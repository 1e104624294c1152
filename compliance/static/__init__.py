"""graph -> Terraform-plan JSON -> checkov: the static layer (``python -m compliance scan``).

``bridge`` maps Pulumi names to Terraform's, ``convert`` writes the plan,
``checkov_run`` runs checkov (plan and secrets), ``results`` maps its results to
control IDs, ``scan`` ties them together and writes ``static.json``.
"""
