/**
 * Dashboard script, part 1: API client, formatting, router, SVG charts. Plain browser JavaScript
 * (no framework, no build step, no network resources besides the proxy's own API).
 */
export const SCRIPT_CORE = String.raw`
'use strict';
var LT = {};
LT.base = location.pathname.replace(/\/ui\/?$/, '');
LT.api = LT.base + '/api/v1';
LT.key = function () { return localStorage.getItem('llmtrace.key') || ''; };
LT.tenant = function () { return localStorage.getItem('llmtrace.tenant') || ''; };

LT.esc = function (s) {
  return String(s == null ? '' : s).replace(/[&<>"']/g, function (c) {
    return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
  });
};

LT.get = function (path, params) {
  var q = new URLSearchParams();
  var p = params || {};
  Object.keys(p).forEach(function (k) { if (p[k] !== undefined && p[k] !== null && p[k] !== '') q.set(k, p[k]); });
  if (LT.tenant() && !q.has('tenant')) q.set('tenant', LT.tenant());
  var qs = q.toString();
  var headers = {};
  if (LT.key()) headers['X-LLMTrace-Key'] = LT.key();
  return fetch(LT.api + path + (qs ? '?' + qs : ''), { headers: headers }).then(function (res) {
    return res.json().catch(function () { return {}; }).then(function (body) {
      if (!res.ok) {
        var e = new Error((body && body.error && body.error.message) || ('HTTP ' + res.status));
        e.status = res.status;
        throw e;
      }
      return body;
    });
  });
};

LT.fmt = {
  int: function (n) { return (n || 0).toLocaleString('en-US'); },
  usd: function (n) {
    if (n === undefined || n === null) return '–';
    return '$' + (n >= 1 ? n.toFixed(2) : n >= 0.01 ? n.toFixed(3) : n.toFixed(5));
  },
  ms: function (n) {
    if (n === undefined || n === null) return '–';
    return n >= 1000 ? (n / 1000).toFixed(2) + ' s' : Math.round(n) + ' ms';
  },
  pct: function (x) { return (x * 100).toFixed(1) + '%'; },
  time: function (t) {
    var d = new Date(t);
    return d.toLocaleDateString('en-CA') + ' ' + d.toLocaleTimeString('en-GB');
  },
};

LT.pill = function (text, cls) { return '<span class="pill ' + cls + '">' + LT.esc(text) + '</span>'; };

LT.view = function () { return document.getElementById('view'); };
LT.setView = function (html) { LT.view().innerHTML = html; };
LT.showError = function (e) {
  var hint = e && (e.status === 401 || e.status === 403) ? ' — paste an API key with the right role above.' : '';
  LT.setView('<p class="error">' + LT.esc(e && e.message ? e.message : e) + LT.esc(hint) + '</p>');
};

LT.range = function (name) {
  var days = { '24h': 1, '7d': 7, '30d': 30, '90d': 90 }[name] || 7;
  return { from: Date.now() - days * 86400000 };
};

/** Vertical bar chart of {key, value} points as an SVG string. */
LT.barChart = function (points, opts) {
  var o = opts || {};
  var w = 600, h = 160, pad = 22;
  if (!points.length) return '<p class="muted">No data in this range.</p>';
  var max = Math.max.apply(null, points.map(function (p) { return p.value; })) || 1;
  var bw = (w - pad) / points.length;
  var bars = points.map(function (p, i) {
    var bh = Math.max(1, (p.value / max) * (h - pad - 8));
    var x = pad + i * bw + 1, y = h - pad - bh;
    return '<rect class="bar' + (o.bad ? ' bad' : '') + '" x="' + x.toFixed(1) + '" y="' + y.toFixed(1) + '" width="' +
      Math.max(1, bw - 2).toFixed(1) + '" height="' + bh.toFixed(1) + '"><title>' + LT.esc(p.key + ': ' +
      (o.format ? o.format(p.value) : p.value)) + '</title></rect>';
  }).join('');
  var step = Math.max(1, Math.ceil(points.length / 8));
  var labels = points.map(function (p, i) {
    if (i % step) return '';
    return '<text x="' + (pad + i * bw + bw / 2).toFixed(1) + '" y="' + (h - 6) + '" text-anchor="middle">' + LT.esc(String(p.key).slice(5)) + '</text>';
  }).join('');
  var top = '<text x="2" y="10">' + LT.esc(o.format ? o.format(max) : max) + '</text>';
  return '<svg viewBox="0 0 ' + w + ' ' + h + '" role="img" aria-label="' + LT.esc(o.label || 'chart') + '">' + bars + labels + top + '</svg>';
};

/** Horizontal bars for a {name: count} map, largest first. */
LT.hbars = function (map, opts) {
  var o = opts || {};
  var entries = Object.keys(map || {}).map(function (k) { return [k, map[k]]; }).sort(function (a, b) { return b[1] - a[1]; });
  if (!entries.length) return '<p class="muted">None.</p>';
  var max = entries[0][1] || 1;
  return entries.slice(0, o.limit || 15).map(function (e) {
    return '<div class="hbar" data-key="' + LT.esc(e[0]) + '"><span class="t" title="' + LT.esc(e[0]) + '">' + LT.esc(e[0]) +
      '</span><span class="b' + (o.bad ? ' bad' : '') + '" style="width:' + Math.max(1, (e[1] / max) * 50).toFixed(1) + '%"></span><span>' +
      LT.esc(o.format ? o.format(e[1]) : LT.fmt.int(e[1])) + '</span></div>';
  }).join('');
};

LT.routes = {};
LT.timers = [];
LT.clearTimers = function () { LT.timers.forEach(function (t) { clearInterval(t); }); LT.timers = []; };
LT.route = function () {
  LT.clearTimers();
  var hash = location.hash.replace(/^#\/?/, '') || 'overview';
  var parts = hash.split('/');
  var name = parts[0].split('?')[0];
  document.querySelectorAll('nav a').forEach(function (a) {
    a.classList.toggle('active', a.getAttribute('data-nav') === (name === 'trace' ? 'traces' : name));
  });
  var fn = LT.routes[name] || LT.routes.overview;
  try {
    Promise.resolve(fn(parts.slice(1).map(decodeURIComponent))).catch(LT.showError);
  } catch (e) {
    LT.showError(e);
  }
};

LT.refreshWho = function () {
  var who = document.getElementById('who');
  LT.get('/me').then(function (me) {
    who.textContent = me.tenantId + ' · ' + me.role;
  }).catch(function () { who.textContent = LT.key() ? 'key rejected' : 'no key'; });
};

LT.start = function () {
  var form = document.getElementById('auth');
  document.getElementById('key').value = LT.key();
  document.getElementById('tenant').value = LT.tenant();
  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    localStorage.setItem('llmtrace.key', document.getElementById('key').value.trim());
    localStorage.setItem('llmtrace.tenant', document.getElementById('tenant').value.trim());
    LT.refreshWho();
    LT.route();
  });
  window.addEventListener('hashchange', LT.route);
  LT.refreshWho();
  LT.route();
};
`;
