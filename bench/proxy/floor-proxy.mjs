#!/usr/bin/env node
// The floor: the least a Node.js proxy can do (node:http in, undici keep-alive pool out, bytes
// streamed back, no parsing, no tracing). The overhead benchmark runs it beside LLMTrace so the
// report separates what any Node proxy costs on this machine from what LLMTrace adds.
import { createServer } from 'node:http';
import { Agent } from 'undici';

const upstream = new URL(process.argv[2] ?? 'http://127.0.0.1:4010');
const agent = new Agent({ connections: 256, keepAliveTimeout: 30_000 });
const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'host', 'upgrade', 'te', 'trailer']);

const server = createServer(async (req, res) => {
  try {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const headers = {};
    for (const [k, v] of Object.entries(req.headers)) if (!HOP.has(k) && v !== undefined) headers[k] = v;
    const up = await agent.request({
      origin: upstream.origin,
      path: req.url,
      method: req.method,
      headers,
      body: chunks.length ? Buffer.concat(chunks) : undefined,
    });
    const out = {};
    for (const [k, v] of Object.entries(up.headers)) if (!HOP.has(k)) out[k] = v;
    res.writeHead(up.statusCode, out);
    for await (const c of up.body) res.write(c);
    res.end();
  } catch {
    if (!res.headersSent) res.writeHead(502);
    res.end();
  }
});
server.listen(0, '127.0.0.1', () => {
  process.stderr.write(`floor proxy listening on http://127.0.0.1:${server.address().port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
