"""The report stage: findings files + the control catalog -> report.json -> every other format.

``build`` joins gate.json (preview), static.json (static) and audit.json (live)
with ``policies/controls.yaml`` into one report dict (``schema`` validates it);
``waivers`` and ``drift`` enrich it; the renderers (``html``, ``markdown``,
``csvfile``, ``junit``, ``sarif``) read nothing but that dict; ``manifest``
seals a run directory and ``history`` lists the runs beside it.
"""

TOOL_NAME = "compliance-report"
TOOL_VERSION = "1.0.0"
