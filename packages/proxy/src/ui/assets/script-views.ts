/** Dashboard script, part 3: overview, security and cost views. */
export const SCRIPT_VIEWS = `
LT.rangeName = '7d';
LT.rangePicker = function () {
  return '<select id="range">' + ['24h', '7d', '30d', '90d'].map(function (r) {
    return '<option' + (r === LT.rangeName ? ' selected' : '') + '>' + r + '</option>';
  }).join('') + '</select>';
};
LT.bindRange = function (again) {
  document.getElementById('range').addEventListener('change', function (ev) { LT.rangeName = ev.target.value; again(); });
};
LT.kpi = function (label, value, cls) {
  return '<div class="card kpi ' + (cls || '') + '"><div class="v">' + LT.esc(value) + '</div><div class="l">' + LT.esc(label) + '</div></div>';
};
/** Day buckets from /stats?groupBy=day, gaps filled with zeros, oldest first. */
LT.days = function (groups, from) {
  var byKey = {};
  groups.forEach(function (g) { byKey[g.key] = g; });
  var out = [];
  var start = new Date(from); start.setUTCHours(0, 0, 0, 0);
  for (var t = start.getTime(); t <= Date.now(); t += 86400000) {
    var k = new Date(t).toISOString().slice(0, 10);
    out.push(byKey[k] || { key: k, requests: 0, totalTokens: 0, costUsd: 0, errors: 0, findings: 0 });
  }
  return out;
};

LT.routes.overview = function () {
  var r = LT.range(LT.rangeName);
  LT.setView('<h2>Overview ' + LT.rangePicker() + '</h2><div id="kpis" class="kpis"></div><div class="grid" id="charts"></div>');
  LT.bindRange(LT.routes.overview);
  return LT.get('/stats', { from: r.from, groupBy: 'day' }).then(function (st) {
    var t = st.total;
    document.getElementById('kpis').innerHTML = LT.kpi('requests', LT.fmt.int(t.requests)) + LT.kpi('cost', LT.fmt.usd(t.costUsd)) +
      LT.kpi('tokens', LT.fmt.int(t.totalTokens)) + LT.kpi('error rate', t.requests ? LT.fmt.pct(t.errors / t.requests) : '–') +
      LT.kpi('findings', LT.fmt.int(t.findings), t.findings ? 'bad' : '');
    var days = LT.days(st.groups, r.from);
    var chart = function (title, field, opts) {
      return '<div class="card chart" data-chart="' + field + '"><h3>' + title + '</h3>' +
        LT.barChart(days.map(function (d) { return { key: d.key, value: d[field] || 0 }; }), Object.assign({ label: title }, opts)) + '</div>';
    };
    document.getElementById('charts').innerHTML = chart('Requests', 'requests') + chart('Cost', 'costUsd', { format: LT.fmt.usd }) +
      chart('Tokens', 'totalTokens', { format: LT.fmt.int }) + chart('Errors', 'errors', { bad: true }) + chart('Findings', 'findings', { bad: true }) +
      '<div class="card"><h3>Findings by type</h3>' + LT.hbars(st.findingsByType, { bad: true }) + '</div>';
  });
};

LT.routes.security = function () {
  var r = LT.range(LT.rangeName);
  LT.setView('<h2>Security ' + LT.rangePicker() + '</h2><div id="sec" class="grid"></div><h3 style="margin-top:1rem">Recent findings</h3><div id="recent" class="card" style="padding:0;overflow-x:auto"></div>');
  LT.bindRange(LT.routes.security);
  return Promise.all([LT.get('/findings/summary', { from: r.from }), LT.get('/findings', { from: r.from, limit: 50 })]).then(function (res) {
    var sum = res[0], list = res[1];
    document.getElementById('sec').innerHTML =
      '<div class="card" id="by-type"><h3>By type</h3>' + LT.hbars(sum.byType, { bad: true }) + '</div>' +
      '<div class="card" id="by-severity"><h3>By severity</h3>' + LT.hbars(sum.bySeverity, { bad: true }) + '</div>' +
      '<div class="card" id="by-action"><h3>Blocked vs flagged calls</h3>' + LT.hbars(sum.byAction) +
      (sum.truncated ? '<p class="muted">Severities and actions from the newest ' + LT.fmt.int(sum.spansScanned) + ' calls.</p>' : '') + '</div>';
    document.getElementById('recent').innerHTML = list.findings.length ? '<table><thead><tr><th>Time</th><th>Type</th><th>Severity</th><th>Action</th><th>Model</th><th>Excerpt</th></tr></thead><tbody>' +
      list.findings.map(function (f) {
        return '<tr class="row" data-trace="' + LT.esc(f.traceId) + '"><td>' + LT.esc(LT.fmt.time(f.time)) + '</td><td>' + LT.esc(f.type) + '</td><td>' +
          LT.pill(f.severity, 'sev-' + f.severity) + '</td><td>' + LT.pill(f.action, f.action === 'blocked' ? 'st-blocked' : 'sev-medium') + '</td><td>' +
          LT.esc(f.model) + '</td><td class="wrap muted">' + LT.esc(f.excerpt || f.message) + '</td></tr>';
      }).join('') + '</tbody></table>' : '<p class="muted" style="padding:.8rem">No findings in this range.</p>';
    document.getElementById('recent').addEventListener('click', function (ev) {
      var tr = ev.target.closest('tr.row');
      if (tr) location.hash = '#/trace/' + encodeURIComponent(tr.getAttribute('data-trace'));
    });
  });
};

LT.routes.costs = function () {
  var r = LT.range(LT.rangeName);
  LT.setView('<h2>Costs ' + LT.rangePicker() + '</h2><div class="grid"><div class="card" id="budget"><h3>Budget utilisation</h3><p class="muted">Loading…</p></div>' +
    '<div class="card" id="by-model"><h3>By model</h3></div><div class="card" id="by-agent"><h3>By agent</h3></div><div class="card" id="by-tenant"><h3>By tenant</h3></div></div>');
  LT.bindRange(LT.routes.costs);
  var costMap = function (groups) {
    var m = {};
    groups.forEach(function (g) { m[g.key || '(none)'] = g.costUsd; });
    return m;
  };
  var me;
  return LT.get('/me').then(function (who) {
    me = who;
    return Promise.all([LT.get('/stats', { from: r.from, groupBy: 'model' }), LT.get('/stats', { from: r.from, groupBy: 'agent' })]);
  }).then(function (res) {
    document.getElementById('by-model').insertAdjacentHTML('beforeend', LT.hbars(costMap(res[0].groups), { format: LT.fmt.usd }));
    document.getElementById('by-agent').insertAdjacentHTML('beforeend', LT.hbars(costMap(res[1].groups), { format: LT.fmt.usd }));
    LT.get('/spend').then(function (sp) {
      document.getElementById('budget').innerHTML = '<h3>Budget utilisation</h3>' + (sp.windows.length ? sp.windows.map(function (w) {
        var u = w.limitUsd ? w.spentUsd / w.limitUsd : 0;
        return '<div style="margin:.4rem 0"><div>' + LT.esc(w.window) + ': ' + LT.fmt.usd(w.spentUsd) + (w.limitUsd ? ' of ' + LT.fmt.usd(w.limitUsd) + ' (' + LT.fmt.pct(u) + ')' : '') +
          '</div>' + (w.limitUsd ? '<div class="meter"><div class="' + (u >= 1 ? 'over' : '') + '" style="width:' + Math.min(100, u * 100).toFixed(1) + '%"></div></div>' : '') + '</div>';
      }).join('') : '<p class="muted">No budgets configured.</p>');
    }).catch(function (e) { document.getElementById('budget').innerHTML = '<h3>Budget utilisation</h3><p class="muted">' + LT.esc(e.message) + '</p>'; });
    var tenantBox = document.getElementById('by-tenant');
    if (me.tenantId !== '*') {
      tenantBox.insertAdjacentHTML('beforeend', LT.hbars(function () { var m = {}; m[me.tenantId] = res[0].total.costUsd; return m; }(), { format: LT.fmt.usd }));
      return;
    }
    return LT.get('/tenants').then(function (tl) {
      return Promise.all(tl.tenants.slice(0, 50).map(function (t) {
        return LT.get('/stats', { from: r.from, tenant: t.id }).then(function (s) { return [t.id, s.total.costUsd]; });
      }));
    }).then(function (pairs) {
      var m = {};
      pairs.forEach(function (p) { m[p[0]] = p[1]; });
      tenantBox.insertAdjacentHTML('beforeend', LT.hbars(m, { format: LT.fmt.usd }));
    }).catch(function (e) { tenantBox.insertAdjacentHTML('beforeend', '<p class="muted">' + LT.esc(e.message) + '</p>'); });
  });
};

LT.start();
`;
