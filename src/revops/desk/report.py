"""The stack audit as one self-contained HTML page (no script, no external asset)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from revops.desk.audit import StackReport

TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tech-stack audit {{ s.as_of }}</title>
<style>body{font:14px system-ui,sans-serif;margin:2rem;color:#222}table{border-collapse:collapse;
margin:1rem 0}td,th{border-bottom:1px solid #ddd;padding:.3rem .6rem;text-align:left}
td.num,th.num{text-align:right}h2{margin-top:2rem}</style></head><body>
<h1>Tech-stack audit <small>as of {{ s.as_of }}</small></h1>
<p>{{ s.tools }} tools, {{ s.seats }} seats, {{ s.unused_seats }} unused.
Usage rows resolved to users by e-mail: {{ s.usage_rows_resolved }} of {{ s.usage_rows }}.</p>
{% for currency, m in s.money.items() %}<p>{{ currency }}: annual cost {{ m.annual_cost }},
unused seats cost {{ m.unused_seat_cost }}, consolidation savings {{ m.savings }}.</p>{% endfor %}
<h2>Tools</h2><table><tr><th>Tool</th><th>Category</th><th class="num">Seats</th>
<th class="num">Active 30 d</th><th class="num">Active 90 d</th><th class="num">Unused seats</th>
<th class="num">Unused seat cost</th><th class="num">Cost per active user</th>
<th>Capabilities</th></tr>
{% for t in r.tools %}<tr><td>{{ t.name }}</td><td>{{ t.category or "" }}</td>
<td class="num">{{ t.seats or "" }}</td><td class="num">{{ t.active_30d }}</td>
<td class="num">{{ t.active_90d }}</td><td class="num">{{ t.unused_seats }}</td>
<td class="num">{{ t.unused_seat_cost }}</td>
<td class="num">{{ t.cost_per_active_user or "-" }}</td>
<td>{{ t.capabilities | join(", ") }}</td></tr>{% endfor %}</table>
<h2>Overlaps</h2><table><tr><th>Capability</th><th>Tools</th></tr>
{% for o in r.overlaps %}<tr><td>{{ o.capability }}</td><td>{{ o.tools | join(", ") }}</td></tr>
{% else %}<tr><td colspan="2">No overlap.</td></tr>{% endfor %}</table>
<h2>Consolidation options</h2><table><tr><th>Retire</th><th>Covered by</th>
<th class="num">Active users 90 d</th><th class="num">Saving a year</th></tr>
{% for o in r.options %}<tr><td>{{ o.retire }}</td><td>{{ o.covered_by | join(", ") }}</td>
<td class="num">{{ o.active_users }}</td><td class="num">{{ o.savings }} {{ o.currency or "" }}</td>
</tr>{% else %}<tr><td colspan="4">None.</td></tr>{% endfor %}</table>
<h2>Reps: selling against admin tools (active days, 90 days)</h2><table><tr><th>Rep</th>
<th>Role</th><th>Team</th><th class="num">Selling</th><th class="num">Admin</th>
<th class="num">Selling share</th></tr>
{% for p in r.reps %}<tr><td>{{ p.rep or p.rep_id }}</td><td>{{ p.role }}</td>
<td>{{ p.team or "" }}</td>
<td class="num">{{ p.selling_days }}</td><td class="num">{{ p.admin_days }}</td>
<td class="num">{% if p.selling_share is not none %}{{ "%.0f %%" | format(100 * p.selling_share) }}
{%- else %}-{% endif %}</td>
</tr>{% endfor %}</table></body></html>
"""


def stack_html(report: StackReport) -> str:
    """The audit as an HTML document (every value escaped)."""
    from jinja2 import Environment

    template = Environment(autoescape=True).from_string(TEMPLATE)
    return template.render(r=report, s=report.summary())
