"""Our checkov checks (CKV_IOT_*), for what checkov's own AWS checks lack.

checkov loads every ``.py`` file here (``--external-checks-dir``; the folder needs
this ``__init__.py``) and every ``.yaml`` graph check. Each check names its
control ID from ``policies/controls.yaml`` in its name, and reads that control's
parameters from the catalog (``iot_checks_common``).
"""
