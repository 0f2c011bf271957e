#!/usr/bin/env node
// The hop: a TCP relay that copies bytes between the client and the upstream, one upstream
// connection per client connection, with no HTTP parsing at all. The overhead benchmark runs it
// beside the bare Node proxy and LLMTrace: what it adds over direct calls is what one more
// loopback hop through a Node process costs on the machine (wake-ups, copies, scheduling), which
// no proxy, however little it does per call, can add less than.
import { connect, createServer } from 'node:net';

const upstream = new URL(process.argv[2] ?? 'http://127.0.0.1:4010');
const server = createServer((client) => {
  const up = connect(Number(upstream.port), upstream.hostname);
  client.setNoDelay(true);
  up.setNoDelay(true);
  client.pipe(up);
  up.pipe(client);
  client.on('error', () => up.destroy());
  up.on('error', () => client.destroy());
});
server.listen(0, '127.0.0.1', () => {
  process.stderr.write(`tcp relay listening on http://127.0.0.1:${server.address().port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
