/** The dashboard's HTML shell. Everything it loads is served by the proxy itself (no CDN). */
export const INDEX_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>LLMTrace</title>
<link rel="stylesheet" href="ui/app.css">
</head>
<body>
<header class="top">
  <a class="brand" href="#/overview">LLMTrace</a>
  <nav>
    <a href="#/overview" data-nav="overview">Overview</a>
    <a href="#/traces" data-nav="traces">Traces</a>
    <a href="#/security" data-nav="security">Security</a>
    <a href="#/costs" data-nav="costs">Costs</a>
  </nav>
  <form id="auth" class="auth" autocomplete="off">
    <input id="tenant" name="tenant" placeholder="tenant (global admin)" size="14">
    <input id="key" name="key" type="password" placeholder="llmt_… API key" size="18">
    <button type="submit">Use key</button>
    <span id="who" class="muted"></span>
  </form>
</header>
<main id="view" aria-live="polite"></main>
<script src="ui/app.js"></script>
</body>
</html>
`;
