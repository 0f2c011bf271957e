/** Dashboard script, part 2: traces list with filters and live tail, trace detail with highlighted findings. */
export const SCRIPT_TRACES = `
LT.filters = {};
// Spans are stored when a call ends but listed by start time: look back far enough that a long call
// which started before the newest row still shows up (rows already shown are skipped).
LT.TAIL_WINDOW_MS = 5 * 60 * 1000;

LT.spanRow = function (s, fresh) {
  var st = s.status === 'ok' && s.statusCode < 400 ? 'ok' : s.status;
  var types = (s.findings || []).map(function (f) { return f.type; });
  return '<tr class="row' + (fresh ? ' fresh' : '') + '" data-span="' + LT.esc(s.spanId) + '" data-trace="' + LT.esc(s.traceId) + '">' +
    '<td>' + LT.esc(LT.fmt.time(s.startTime)) + '</td>' +
    '<td>' + LT.esc(s.model || '–') + '</td>' +
    '<td>' + LT.esc(s.agentId || '') + '</td>' +
    '<td>' + LT.pill(st + ' ' + s.statusCode, 'st-' + st) + '</td>' +
    '<td>' + LT.fmt.int(s.promptTokens) + ' / ' + LT.fmt.int(s.completionTokens) + '</td>' +
    '<td>' + LT.fmt.usd(s.costUsd) + '</td>' +
    '<td>' + LT.fmt.ms(s.durationMs) + '</td>' +
    '<td>' + LT.fmt.ms(s.ttftMs) + '</td>' +
    '<td>' + (s.securityScore || 0) + '</td>' +
    '<td class="wrap">' + types.map(function (t) { return LT.pill(t, 'sev-high'); }).join(' ') + '</td>' +
    '<td class="wrap muted">' + LT.esc(LT.preview(s)) + '</td></tr>';
};

LT.preview = function (s) {
  var last = (s.prompt || []).filter(function (m) { return m.role === 'user'; }).pop();
  var t = last ? last.content : s.response || '';
  return t.length > 80 ? t.slice(0, 80) + '…' : t;
};

LT.routes.traces = function () {
  var f = LT.filters;
  LT.setView('<h2>Traces</h2><form id="filters" class="filters">' +
    '<input name="q" placeholder="search prompt and response" value="' + LT.esc(f.q || '') + '" size="24">' +
    '<input name="model" placeholder="model" value="' + LT.esc(f.model || '') + '" size="12">' +
    '<input name="agentId" placeholder="agent" value="' + LT.esc(f.agentId || '') + '" size="10">' +
    '<select name="status"><option value="">any status</option>' + ['ok', 'error', 'blocked', 'cancelled'].map(function (s) {
      return '<option' + (f.status === s ? ' selected' : '') + '>' + s + '</option>'; }).join('') + '</select>' +
    '<input name="findingType" placeholder="finding type" value="' + LT.esc(f.findingType || '') + '" size="14">' +
    '<input name="minSecurityScore" type="number" min="0" max="100" placeholder="min score" value="' + LT.esc(f.minSecurityScore || '') + '" style="width:7em">' +
    '<button type="submit">Filter</button>' +
    '<label><input type="checkbox" id="live"' + (LT.live ? ' checked' : '') + '> Live tail</label>' +
    '<span id="count" class="muted"></span></form>' +
    '<div class="card" style="padding:0;overflow-x:auto"><table><thead><tr><th>Time</th><th>Model</th><th>Agent</th><th>Status</th>' +
    '<th>Tokens in/out</th><th>Cost</th><th>Latency</th><th>TTFT</th><th>Score</th><th>Findings</th><th>Prompt</th></tr></thead>' +
    '<tbody id="rows"></tbody></table></div><p><button id="more" hidden>Load more</button></p>');

  var rows = document.getElementById('rows');
  var seen = {};
  var newest = 0;
  var cursor;
  var add = function (spans, where, fresh) {
    var html = spans.filter(function (s) {
      if (seen[s.spanId]) return false;
      seen[s.spanId] = 1;
      newest = Math.max(newest, s.startTime);
      return true;
    }).map(function (s) { return LT.spanRow(s, fresh); }).join('');
    rows.insertAdjacentHTML(where, html);
    document.getElementById('count').textContent = rows.children.length + ' shown';
  };
  var load = function () {
    return LT.get('/spans', Object.assign({ limit: 50, cursor: cursor }, f)).then(function (page) {
      add(page.spans, 'beforeend', false);
      cursor = page.nextCursor;
      document.getElementById('more').hidden = !cursor;
    });
  };
  var poll = function () {
    LT.get('/spans', Object.assign({}, f, { since: (newest || Date.now()) - LT.TAIL_WINDOW_MS, limit: 100 })).then(function (page) {
      add(page.spans.slice().reverse(), 'afterbegin', true);
    }).catch(function () {});
  };
  var setLive = function (on) {
    LT.live = on;
    LT.clearTimers();
    if (on) LT.timers.push(setInterval(poll, 1000));
  };
  document.getElementById('filters').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var data = new FormData(ev.target);
    LT.filters = {};
    data.forEach(function (v, k) { if (v) LT.filters[k] = v; });
    LT.routes.traces();
  });
  document.getElementById('live').addEventListener('change', function (ev) { setLive(ev.target.checked); });
  document.getElementById('more').addEventListener('click', load);
  rows.addEventListener('click', function (ev) {
    var tr = ev.target.closest('tr.row');
    if (tr) location.hash = '#/trace/' + encodeURIComponent(tr.getAttribute('data-trace'));
  });
  setLive(!!LT.live);
  return load();
};

/** Text with the findings' [start, end) ranges wrapped in <mark>; overlaps merged. */
LT.highlight = function (text, findings) {
  var ranges = findings.map(function (f) {
    return { start: Math.max(0, f.location.start), end: Math.min(text.length, f.location.end), f: f };
  }).filter(function (r) { return r.end > r.start; }).sort(function (a, b) { return a.start - b.start; });
  var out = '', pos = 0;
  ranges.forEach(function (r) {
    if (r.start < pos) return;
    out += LT.esc(text.slice(pos, r.start));
    out += '<mark class="finding" data-type="' + LT.esc(r.f.type) + '" title="' + LT.esc(r.f.type + ' (' + r.f.severity + '): ' + r.f.message) + '">' +
      LT.esc(text.slice(r.start, r.end)) + '</mark>';
    pos = r.end;
  });
  return out + LT.esc(text.slice(pos));
};

LT.spanDetail = function (s) {
  var located = (s.findings || []).filter(function (f) { return f.location; });
  var onMessage = function (i) {
    return located.filter(function (f) { return f.location.side === 'request' && (f.location.messageIndex === undefined ? i === (s.prompt.length - 1) : f.location.messageIndex === i); });
  };
  var msgs = (s.prompt || []).map(function (m, i) {
    return '<div class="msg" data-role="' + LT.esc(m.role) + '"><div class="role">' + LT.esc(m.role) + (m.name ? ' · ' + LT.esc(m.name) : '') + '</div><pre>' +
      LT.highlight(m.content || '', onMessage(i)) + '</pre></div>';
  }).join('');
  var resp = s.response ? '<div class="msg" data-role="assistant"><div class="role">assistant (response)</div><pre>' +
    LT.highlight(s.response, located.filter(function (f) { return f.location.side === 'response'; })) + '</pre></div>' : '';
  var tools = (s.toolCalls || []).length ? '<h3>Tool calls</h3><div class="tools">' + s.toolCalls.map(function (t) {
    return '<div class="msg"><div class="role">' + LT.esc(t.name) + (t.id ? ' · ' + LT.esc(t.id) : '') + '</div><code>' + LT.esc(t.arguments) + '</code></div>';
  }).join('') + '</div>' : '';
  var findings = (s.findings || []).length ? '<h3>Findings</h3><table><thead><tr><th>Type</th><th>Severity</th><th>Confidence</th><th>Detector</th><th>Where</th><th>Message</th></tr></thead><tbody>' +
    s.findings.map(function (f) {
      var where = f.location ? f.location.side + (f.location.messageIndex !== undefined ? ' #' + f.location.messageIndex : '') + ' [' + f.location.start + '–' + f.location.end + ')' : '';
      return '<tr class="finding-row"><td>' + LT.esc(f.type) + '</td><td>' + LT.pill(f.severity, 'sev-' + f.severity) + '</td><td>' + (f.confidence * 100).toFixed(0) + '%</td><td>' +
        LT.esc(f.detector) + '</td><td>' + LT.esc(where) + '</td><td class="wrap">' + LT.esc(f.message) + '</td></tr>';
    }).join('') + '</tbody></table>' : '';
  var st = s.status === 'ok' && s.statusCode < 400 ? 'ok' : s.status;
  var meta = [
    ['model', s.model + (s.responseModel && s.responseModel !== s.model ? ' → ' + s.responseModel : '')], ['provider', s.provider], ['operation', s.operation],
    ['tokens', LT.fmt.int(s.promptTokens) + ' in / ' + LT.fmt.int(s.completionTokens) + ' out (' + s.usageSource + ')'],
    ['cost', LT.fmt.usd(s.costUsd)], ['latency', LT.fmt.ms(s.durationMs)], ['TTFT', LT.fmt.ms(s.ttftMs)],
    ['score', s.securityScore], ['agent', s.agentId || '–'], ['started', LT.fmt.time(s.startTime)],
  ].map(function (kv) { return '<div><span>' + kv[0] + '</span>' + LT.esc(kv[1]) + '</div>'; }).join('');
  return '<section class="card span" data-span="' + LT.esc(s.spanId) + '"><h3>' + LT.esc(s.operation + ' ' + s.model) + ' ' + LT.pill(st + ' ' + s.statusCode, 'st-' + st) +
    '</h3><div class="meta">' + meta + '</div>' + (s.error ? '<p class="error">' + LT.esc(s.error) + '</p>' : '') +
    '<h3>Conversation</h3>' + msgs + resp + tools + findings + '</section>';
};

LT.routes.trace = function (args) {
  var id = args[0];
  LT.setView('<p class="muted">Loading trace…</p>');
  return LT.get('/traces/' + encodeURIComponent(id)).then(function (t) {
    LT.setView('<p><a href="#/traces">← Traces</a></p><h2>Trace <code>' + LT.esc(t.traceId) + '</code> <span class="muted">' +
      t.spans.length + ' span(s)</span></h2>' + t.spans.map(LT.spanDetail).join(''));
  });
};
`;
