"""The telemetry processor: Kinesis batches of device readings -> aggregates, anomalies, raw archive.

handler.py (beside this package) is the Lambda entry point; app.py wires the
parts; pipeline.py runs a batch through them. See the README section
"The telemetry processor".
"""
