"""The insights as one self-contained HTML page: tables and inline SVG charts (pygal, no script, no CDN).

pygal draws the charts as SVG built with ElementTree (labels escaped); its
tooltips script, which it would load from a CDN, is switched off (``js=[]``)
and its inline settings script dropped, so the page opens offline, runs no
script and loads nothing. Jinja2 autoescapes every value.
"""

from __future__ import annotations

import re
from collections import defaultdict

import pygal
from jinja2 import Environment, select_autoescape
from markupsafe import Markup

from insights.queries import Insights

_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Operational insights {{ at }}</title>
<style>body{font-family:sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse;margin:1em 0}
td,th{border:1px solid #ccc;padding:.25em .6em;text-align:right}td:first-child,th:first-child{text-align:left}
.chart{max-width:60em}</style></head><body>
<h1>Operational insights</h1>
<p>At {{ at }} over the last {{ hours }} hours; silent means no reading for {{ silent_minutes }} minutes.</p>
<h2>Predictive maintenance: time until an operating limit is crossed</h2>
{% if forecasts %}<table><tr><th>device</th><th>metric</th><th>facility</th><th>readings</th><th>trend / h</th>
<th>level now</th><th>limit</th><th>hours to limit</th></tr>
{% for f in forecasts %}<tr><td>{{ f.device_id }}</td><td>{{ f.metric }}</td><td>{{ f.facility }}</td>
<td>{{ f.readings }}</td><td>{{ f.slope_per_hour }}</td><td>{{ f.level_now }}</td>
<td>{{ f.limit_side or "" }} {{ f.limit_value if f.limit_value is not none else "" }}</td>
<td>{{ f.hours_to_limit if f.hours_to_limit is not none else "-" }}</td></tr>{% endfor %}</table>
{% else %}<p>No readings in the period.</p>{% endif %}
<h2>Anomaly rate per facility and hour</h2><div class="chart">{{ anomaly_chart }}</div>
<h2>Throughput per facility (readings per second)</h2><div class="chart">{{ throughput_chart }}</div>
<h2>Silent devices</h2>
{% if silent %}<table><tr><th>device</th><th>facility</th><th>type</th><th>last reading (window)</th>
<th>silent for (min)</th></tr>{% for s in silent %}<tr><td>{{ s.device_id }}</td><td>{{ s.facility }}</td>
<td>{{ s.device_type }}</td><td>{{ s.last_reading_window }}</td><td>{{ s.silent_minutes }}</td></tr>{% endfor %}
</table>{% else %}<p>None.</p>{% endif %}
</body></html>
"""


_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)


def _chart(title: str, rows, value) -> Markup:
    """A line chart, one series per facility, x = the hours of the period (pygal SVG, no script)."""
    hours = sorted({row.hour_start for row in rows})
    series: dict[str, dict] = defaultdict(dict)
    for row in rows:
        series[row.facility][row.hour_start] = float(value(row))
    chart = pygal.Line(title=title, js=[], disable_xml_declaration=True, x_label_rotation=30,
                       show_minor_x_labels=False, width=900, height=360)
    chart.x_labels = [hour.strftime("%m-%d %H:00") for hour in hours]
    chart.x_labels_major = chart.x_labels[:: max(1, len(hours) // 12)]
    for facility in sorted(series):
        chart.add(facility, [series[facility].get(hour) for hour in hours])
    # pygal still writes an inline <script> with its tooltip settings, for the tooltip script we leave out:
    # without that script it does nothing, so the page carries none.
    return Markup(_SCRIPT.sub("", chart.render(is_unicode=True)))


def render(insights: Insights) -> str:
    environment = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    return environment.from_string(_TEMPLATE).render(
        at=insights.at.isoformat(timespec="seconds"), hours=insights.hours, silent_minutes=insights.silent_minutes,
        forecasts=insights.forecasts, silent=insights.silent,
        anomaly_chart=_chart("anomalous readings / readings", insights.anomaly_rates, lambda r: r.rate),
        throughput_chart=_chart("readings per second", insights.throughput, lambda r: r.readings_per_second),
    )
