/** The dashboard's stylesheet: plain CSS, laptop-first, light and dark. */
export const APP_CSS = `
:root { --bg:#f7f7f8; --fg:#1d1d20; --muted:#6b6b76; --card:#fff; --line:#e3e3e8; --accent:#3b5bdb;
  --bad:#c92a2a; --warn:#e67700; --ok:#2b8a3e; --mark:#ffe066; font: 14px/1.45 system-ui, sans-serif; }
@media (prefers-color-scheme: dark) { :root { --bg:#141417; --fg:#e9e9ee; --muted:#9a9aa6; --card:#1d1d22;
  --line:#2e2e35; --accent:#748ffc; --mark:#8a6d00; } }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--fg); }
a { color:var(--accent); text-decoration:none; }
.top { display:flex; gap:1.5rem; align-items:center; padding:.6rem 1.2rem; background:var(--card);
  border-bottom:1px solid var(--line); position:sticky; top:0; z-index:2; flex-wrap:wrap; }
.brand { font-weight:700; font-size:1.1rem; color:var(--fg); }
nav a { margin-right:1rem; color:var(--muted); }
nav a.active { color:var(--fg); font-weight:600; }
.auth { margin-left:auto; display:flex; gap:.4rem; align-items:center; }
input, select, button { font:inherit; padding:.3rem .5rem; border:1px solid var(--line); border-radius:6px;
  background:var(--card); color:var(--fg); }
button { cursor:pointer; }
button.primary, button[type=submit] { background:var(--accent); color:#fff; border-color:var(--accent); }
main { padding:1rem 1.2rem; max-width:1400px; margin:0 auto; }
h2 { margin:.2rem 0 .8rem; font-size:1.2rem; }
h3 { margin:.2rem 0 .5rem; font-size:1rem; }
.muted { color:var(--muted); }
.grid { display:grid; gap:1rem; grid-template-columns:repeat(auto-fill, minmax(300px, 1fr)); }
.kpis { display:grid; gap:.8rem; grid-template-columns:repeat(auto-fit, minmax(140px, 1fr)); margin-bottom:1rem; }
.card { background:var(--card); border:1px solid var(--line); border-radius:10px; padding:.8rem 1rem; }
.kpi .v { font-size:1.5rem; font-weight:650; }
.kpi .l { color:var(--muted); font-size:.85rem; }
table { width:100%; border-collapse:collapse; background:var(--card); }
th, td { text-align:left; padding:.35rem .5rem; border-bottom:1px solid var(--line); white-space:nowrap; }
th { color:var(--muted); font-weight:500; font-size:.85rem; }
td.wrap { white-space:normal; }
tr.row { cursor:pointer; }
tr.row:hover { background:rgba(127,127,127,.08); }
tr.fresh { animation: fresh 2s ease-out; }
@keyframes fresh { from { background: rgba(59,91,219,.25); } to { background: transparent; } }
.filters { display:flex; flex-wrap:wrap; gap:.4rem; margin-bottom:.8rem; align-items:center; }
.pill { display:inline-block; padding:0 .45rem; border-radius:999px; font-size:.8rem; border:1px solid var(--line); }
.sev-critical, .sev-high, .st-error, .st-blocked { color:var(--bad); border-color:var(--bad); }
.sev-medium { color:var(--warn); border-color:var(--warn); }
.sev-low, .sev-info { color:var(--muted); }
.st-ok { color:var(--ok); border-color:var(--ok); }
.msg { border:1px solid var(--line); border-radius:8px; padding:.5rem .7rem; margin:.4rem 0; background:var(--card); }
.msg .role { font-size:.75rem; text-transform:uppercase; letter-spacing:.05em; color:var(--muted); }
.msg pre { white-space:pre-wrap; word-break:break-word; margin:.2rem 0 0; font:inherit; }
mark.finding { background:var(--mark); color:inherit; border-radius:3px; padding:0 1px; }
.meta { display:flex; flex-wrap:wrap; gap:.4rem 1.2rem; margin:.4rem 0 .8rem; }
.meta div span { color:var(--muted); margin-right:.3rem; }
.chart svg { width:100%; height:auto; max-height:200px; display:block; }
.chart .bar { fill:var(--accent); }
.chart .bar.bad { fill:var(--bad); }
.chart text { fill:var(--muted); font-size:10px; }
.hbar { display:flex; align-items:center; gap:.5rem; margin:.2rem 0; }
.hbar .t { width:40%; overflow:hidden; text-overflow:ellipsis; white-space:nowrap; }
.hbar .b { height:.8rem; background:var(--accent); border-radius:3px; min-width:2px; }
.hbar .b.bad { background:var(--bad); }
.meter { height:.7rem; background:var(--line); border-radius:999px; overflow:hidden; }
.meter > div { height:100%; background:var(--accent); }
.meter > div.over { background:var(--bad); }
.error { color:var(--bad); }
.tools code { display:block; white-space:pre-wrap; }
`;
