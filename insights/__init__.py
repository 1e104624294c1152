"""Operational insights from the analytics database: a CLI that prints them and writes an HTML page.

The queries are the SQL functions the migrations create (telemetry.maintenance_forecast,
anomaly_rate, silent_devices, throughput), run as the read-only telemetry_analyst role.
"""
