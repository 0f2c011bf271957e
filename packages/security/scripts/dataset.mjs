// Shared helpers for the training and evaluation scripts: locate and read the development data,
// and build grouped cross-validation folds.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** Repository root (packages/security/scripts → ../../..). */
export const repoRoot = resolve(here, '..', '..', '..');

/** Dataset directory: `--data DIR`, else $LLMTRACE_SECURITY_DATA, else ../shared/datasets/security-dev beside the repo. */
export function datasetDir(argv = process.argv.slice(2)) {
  const i = argv.indexOf('--data');
  const fromArg = i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith('--data='))?.slice(7);
  const dir =
    fromArg ??
    process.env.LLMTRACE_SECURITY_DATA ??
    join(repoRoot, '..', 'shared', 'datasets', 'security-dev');
  const abs = isAbsolute(dir) ? dir : resolve(process.cwd(), dir);
  if (!existsSync(abs)) {
    console.error(`dataset directory not found: ${dir} (pass --data DIR or set LLMTRACE_SECURITY_DATA)`);
    process.exit(2);
  }
  return abs;
}

/** Read one JSONL file (missing file → empty list). */
export function readJsonl(dir, name) {
  const p = join(dir, name);
  if (!existsSync(p)) return [];
  return readFileSync(p, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l));
}

export const ATTACK_FILES = [
  'deepset_train.jsonl',
  'notinject.jsonl',
  'wildguard_benign.jsonl',
  'jailbreak_inthewild.jsonl',
  'bipia_email.jsonl',
];
export const BENIGN_EXTRA_FILES = ['pii_presidio_synth.jsonl', 'secrets_synth.jsonl'];

/**
 * Training examples for the learned detector: attack files with their labels, plus PII and secrets
 * texts as extra benign examples (they contain no attacks). Each carries a group key so that
 * near-duplicates (same e-mail, same opening) never straddle a train/test split.
 */
export function trainingRows(dir) {
  const rows = [];
  for (const file of ATTACK_FILES) {
    for (const r of readJsonl(dir, file))
      rows.push({ file, row: r, text: r.text, label: r.label === 1 ? 1 : 0, group: groupKey(file, r) });
  }
  for (const file of BENIGN_EXTRA_FILES) {
    for (const r of readJsonl(dir, file))
      rows.push({ file, row: r, text: r.text, label: 0, group: groupKey(file, r) });
  }
  return rows;
}

function groupKey(file, r) {
  // E-mails are grouped by document so an e-mail never sits on both sides of a split (its clean and
  // injected versions stay together). Attack sentences can still recur across folds: the
  // document/attack graph is a single connected component, so no grouping separates both.
  if (r.meta?.doc) return `${file}:${r.meta.doc}`;
  if (r.meta?.template_id !== undefined) return `${file}:t${r.meta.template_id}`;
  const head = String(r.text)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '')
    .slice(0, 40);
  return `${file}:${head}`;
}

/** Deterministic grouped k-fold assignment: returns fold index per row. */
export function foldsFor(rows, k, seed) {
  const groups = [...new Set(rows.map((r) => r.group))].sort();
  let a = seed >>> 0;
  const rand = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const fold = new Map();
  for (let i = groups.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [groups[i], groups[j]] = [groups[j], groups[i]];
  }
  for (const [i, g] of groups.entries()) fold.set(g, i % k);
  return rows.map((r) => fold.get(r.group));
}
