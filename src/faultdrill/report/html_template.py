"""The Jinja template of the HTML run report: one file, styles inline.

Kept in a Python module rather than a data file so that it ships with the
package however it is installed.
"""

from __future__ import annotations

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 960px;
       color: #1d1d1f; line-height: 1.4; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin-bottom: .2rem; }
h2 { font-size: 1.15rem; border-bottom: 1px solid #ddd; padding-bottom: .2rem;
     margin-top: 2rem; }
table { border-collapse: collapse; width: 100%; font-size: .85rem; }
th, td { border: 1px solid #ddd; padding: .3rem .45rem; text-align: left;
         vertical-align: top; }
th { background: #f4f4f6; }
code, .mono { font-family: ui-monospace, monospace; font-size: .8rem; }
.badge { display: inline-block; padding: .15rem .6rem; border-radius: .3rem;
         font-weight: 600; text-transform: uppercase; letter-spacing: .03em; }
.held, .succeeded { background: #d8f0dc; color: #17602a; }
.deviated, .aborted, .failed { background: #fbdcd9; color: #8f1d12; }
.inconclusive, .refused, .interrupted, .not-measured { background: #fdf0cf;
         color: #725200; }
.meta td:first-child { width: 12rem; color: #555; }
.chart { margin: 1rem 0; }
.chart svg { width: 100%; height: auto; }
.note { color: #555; font-style: italic; }
"""

TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{ r.title }}: {{ r.outcome.value }}</title>
<style>{{ style }}</style>
</head>
<body>
<h1>{{ r.title }}</h1>
<p><span class="badge {{ r.outcome.value }}">{{ r.outcome.value }}</span>
 {{ r.reason }}</p>
<table class="meta">
<tr><td>what it means</td><td>{{ meaning }}</td></tr>
<tr><td>experiment</td><td><code>{{ r.experiment_file }}</code></td></tr>
<tr><td>run</td><td><code>{{ r.run_id }}</code>, exit code {{ r.exit_code }}</td></tr>
<tr><td>started</td><td>{{ r.start.isoformat(timespec="seconds") }}
 ({{ "%.1f"|format(r.duration) }} s)</td></tr>
<tr><td>target</td><td><code>{{ r.base_url or "-" }}</code></td></tr>
<tr><td>runbook</td><td>{% if r.runbook %}<a href="{{ r.runbook }}">{{ r.runbook }}</a>
{% else %}none declared: add a <code>runbook</code> key{% endif %}</td></tr>
{% if postmortem %}<tr><td>postmortem draft</td><td>
<a href="{{ postmortem }}">{{ postmortem }}</a></td></tr>{% endif %}
</table>
{% if r.description %}<p>{{ r.description }}</p>{% endif %}

<h2>Verdicts</h2>
<table>
<tr><th>SLO</th>{% for p in phases %}<th>{{ p }}</th>{% endfor %}</tr>
{% for row in verdicts %}<tr><td><code>{{ row.slo }}</code></td>
{% for cell in row.cells %}<td><span class="badge {{ cell.status|replace(' ', '-') }}">
{{ cell.status }}</span><br>{{ cell.summary }}</td>{% endfor %}</tr>
{% endfor %}</table>

<h2>SLIs over time</h2>
{% for chart in charts %}<figure class="chart" id="chart-{{ chart.slo }}">
{{ chart.svg|safe }}<figcaption>{{ chart.title }}; the fault window is shaded
red, the recovery grace yellow; the dashed line is the threshold.</figcaption>
</figure>
{% else %}<p class="note">This journal has no per-second series
(<code>faultdrill.series</code>), so there is nothing to plot; the verdicts
above hold the figures of each phase.</p>{% endfor %}

<h2>Error budget spent</h2>
{% if spend %}<table>
<tr><th>SLO</th><th>bad before</th><th>bad during</th><th>burn rate</th>
<th>budget spent</th><th>events</th></tr>
{% for s in spend %}<tr><td><code>{{ s.slo }}</code></td>
<td>{{ pct(s.baseline_bad_ratio) }}</td><td>{{ pct(s.during_bad_ratio) }}</td>
<td>{{ "%.2f"|format(s.burn_rate) }}x</td>
<td>{{ "%.4g"|format(s.budget_spent_percent) }}%{% if s.estimated %} (estimate,
30-day window){% endif %}</td><td>{{ s.bad_events }} bad of {{ s.total_events }}</td>
</tr>{% endfor %}</table>
{% else %}<p class="note">No fault window was measured: nothing was spent.</p>
{% endif %}

<h2>Blast radius</h2>
{% if blast %}<table>{% for key, value in blast %}<tr><td><code>{{ key }}</code></td>
<td>{{ value }}</td></tr>{% endfor %}</table>
{% else %}<p class="note">No blast radius recorded.</p>{% endif %}

<h2>Actions and reverts</h2>
{% if activities %}<table>
<tr><th>step</th><th>name</th><th>what</th><th>at (s)</th><th>took (s)</th>
<th>status</th></tr>
{% for a in activities %}<tr><td>{{ a.section }}</td><td>{{ a.name }}</td>
<td><code>{{ a.target }}</code><br><span class="mono">{{ a.arguments }}</span></td>
<td>{{ a.at_s }}</td><td>{{ a.duration_s }}</td>
<td><span class="badge {{ a.status }}">{{ a.status }}</span>
{% if a.error %}<br><span class="mono">{{ a.error }}</span>{% endif %}</td></tr>
{% endfor %}</table>
{% else %}<p class="note">No action ran: nothing was injected.</p>{% endif %}
{% if r.reverts %}<p>Reverted by the fault ledger's safety net:</p><ul>
{% for v in r.reverts %}<li>{{ v.fault }}: {{ v.outcome }}</li>{% endfor %}</ul>
{% endif %}

<h2>Recovery playbook</h2>
<p>What puts the service back if this experiment's faults are left in place
{% if r.runbook %}(runbook: <a href="{{ r.runbook }}">{{ r.runbook }}</a>)
{% endif %}:</p>
<ol>{% for step in r.planned_rollbacks %}<li><b>{{ step.name }}</b>:
<code>{{ step.target }}</code>
<span class="mono">{{ compact(step.arguments) }}</span></li>
{% endfor %}<li>anything still recorded in the fault ledger:
<code>faultdrill recover</code></li>
<li>the SLOs must be back within {{ r.recovery_within or "the declared time" }}
after the rollback</li></ol>

{% if r.incident %}<h2>Incident</h2>
<p><span class="badge deviated">{{ r.incident.severity }}</span>
<code>{{ r.incident.id }}</code> {{ r.incident.title }}</p>{% endif %}

{% if capacity %}<h2>Capacity (step test)</h2>
<table><tr>{% for c in capacity.columns %}<th>{{ c }}</th>{% endfor %}</tr>
{% for row in capacity.rows %}<tr>{% for v in row %}<td>{{ v }}</td>{% endfor %}</tr>
{% endfor %}</table>{% endif %}

<h2>Timeline</h2>
<table>{% for e in r.timeline %}<tr><td class="mono">
{{ e.at.isoformat(timespec="milliseconds") }}</td><td>
+{{ "%.1f"|format(since(e.at)) }} s</td><td>{{ e.message }}</td></tr>
{% else %}<tr><td>no events recorded</td></tr>{% endfor %}</table>
<p class="note">faultdrill {{ version }}; journal <code>{{ r.source }}</code></p>
</body>
</html>
"""
