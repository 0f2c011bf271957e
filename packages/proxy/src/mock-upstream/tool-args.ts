import type { IncomingMessage } from 'node:http';

/** A tool the fake model can call: its name and JSON-schema parameters. */
export interface MockTool {
  name: string;
  parameters: Record<string, unknown>;
}

function sampleFor(name: string, schema: Record<string, unknown>): unknown {
  const type = schema.type;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  if (type === 'number' || type === 'integer') return 1;
  if (type === 'boolean') return true;
  if (type === 'array') return [];
  if (type === 'object') return {};
  return `mock-${name}`;
}

/**
 * Arguments the fake model passes to a tool: the `x-mock-tool-args` header (URI-encoded JSON) when
 * set, otherwise one sample value per property of the tool's JSON schema.
 */
export function mockToolArguments(req: IncomingMessage, tool: MockTool): Record<string, unknown> {
  const header = req.headers['x-mock-tool-args'];
  const raw = Array.isArray(header) ? header[0] : header;
  if (raw) {
    try {
      const parsed: unknown = JSON.parse(decodeURIComponent(raw));
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
        return parsed as Record<string, unknown>;
    } catch {
      // fall back to the schema sample
    }
  }
  const props = (tool.parameters.properties ?? {}) as Record<string, Record<string, unknown>>;
  const args: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(props)) args[key] = sampleFor(key, schema ?? {});
  return args;
}

/** Split a string into `n`-character pieces (for streaming tool arguments in fragments). */
export function pieces(text: string, n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += n) out.push(text.slice(i, i + n));
  return out;
}

/** Whether the conversation's last message is a tool result (then the fake model answers in text). */
export function endsWithToolResult(roles: readonly string[]): boolean {
  return roles.length > 0 && roles[roles.length - 1] === 'tool';
}

/** A short unique-enough id with a prefix, e.g. `call_mock1a2b`. */
export function mockId(prefix: string): string {
  return `${prefix}${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
}
