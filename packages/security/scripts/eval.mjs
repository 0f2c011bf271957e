// Evaluate the scanner on the development data and print per-file metrics.
// Usage: pnpm --filter @llmtrace/security build && pnpm --filter @llmtrace/security eval [--data DIR] [--shipped | --no-learned]
// By default the learned part is cross-validated: each row is scored by a scanner whose model was
// trained on the other folds only (grouped 5-fold, seed 42). --shipped uses the committed weights
// (trained on all of this data, so its numbers are optimistic).
import { createScanner } from '../dist/index.js';
import { createModel, trainLogistic } from '../dist/model/index.js';
import { ATTACK_FILES, datasetDir, foldsFor, readJsonl, trainingRows } from './dataset.mjs';

const argv = process.argv.slice(2);
const dir = datasetDir(argv);
const shipped = argv.includes('--shipped');
const rulesOnly = argv.includes('--no-learned');
const SEED = 42;
const K = 5;
const fmt = (x) => (x === null || Number.isNaN(x) ? '  -  ' : x.toFixed(3));
const ratio = (a, b) => (b > 0 ? a / b : null);
const fbeta = (p, r, beta) =>
  p === null || r === null || p + r === 0 ? null : ((1 + beta * beta) * p * r) / (beta * beta * p + r);

// ---- binary tasks -------------------------------------------------------------------------------
const rows = trainingRows(dir);
const folds = foldsFor(rows, K, SEED);
const predicted = new Map(); // row object -> verdict !== 'allow'
const t0 = performance.now();
if (shipped || rulesOnly) {
  const scanner = createScanner({ learnedModel: !rulesOnly });
  for (const r of rows)
    if (ATTACK_FILES.includes(r.file))
      predicted.set(r.row, scanner.scan(r.text, { role: r.row.role ?? 'user' }).verdict !== 'allow');
} else {
  for (let k = 0; k < K; k++) {
    const train = rows.filter((_, i) => folds[i] !== k).map((r) => ({ text: r.text, label: r.label }));
    const scanner = createScanner({ model: createModel(trainLogistic(train, { seed: SEED })) });
    rows.forEach((r, i) => {
      if (folds[i] === k && ATTACK_FILES.includes(r.file))
        predicted.set(r.row, scanner.scan(r.text, { role: r.row.role ?? 'user' }).verdict !== 'allow');
    });
  }
}
console.log(
  `security eval on ${dir.split(/[\\/]/).slice(-1)[0]} — learned part: ${rulesOnly ? 'off (rules only)' : shipped ? 'shipped weights (trained on this data)' : `grouped ${K}-fold CV`}`,
);
console.log('\nbinary tasks (positive = verdict flag or block)');
console.log(`  ${'file'.padEnd(28)} ${'n'.padStart(5)}  recall   fpr    prec    f1`);
for (const file of ATTACK_FILES) {
  const s = { tp: 0, fp: 0, fn: 0, tn: 0 };
  for (const r of readJsonl(dir, file)) {
    const hit = predicted.get(rows.find((x) => x.row.id === r.id)?.row);
    if (r.label === 1) hit ? s.tp++ : s.fn++;
    else hit ? s.fp++ : s.tn++;
  }
  const recall = ratio(s.tp, s.tp + s.fn);
  const fpr = ratio(s.fp, s.fp + s.tn);
  const precision = recall !== null && fpr !== null ? ratio(s.tp, s.tp + s.fp) : null;
  const f1 = fbeta(precision, recall, 1);
  console.log(
    `  ${file.padEnd(28)} ${String(s.tp + s.fp + s.fn + s.tn).padStart(5)}  ${fmt(recall)}  ${fmt(fpr)}  ${fmt(precision)}  ${fmt(f1)}`,
  );
}

// ---- span tasks ---------------------------------------------------------------------------------
const scanner = createScanner({ learnedModel: false });
function spanEval(file, prefix) {
  const per = new Map();
  const get = (t) => per.get(t) ?? per.set(t, { tpGold: 0, gold: 0, tpPred: 0, pred: 0 }).get(t);
  const rowStats = { tp: 0, fn: 0, fp: 0, tn: 0 };
  for (const r of readJsonl(dir, file)) {
    const gold = r.spans ?? [];
    const pred = scanner
      .scan(r.text, { role: r.role ?? 'user' })
      .findings.filter((f) => f.type.startsWith(prefix))
      .map((f) => ({ type: f.type, start: f.location.start, end: f.location.end }));
    const ov = (a, b) => a.start < b.end && b.start < a.end;
    for (const g of gold) {
      const s = get(g.type);
      s.gold++;
      if (pred.some((p) => p.type === g.type && ov(p, g))) s.tpGold++;
    }
    for (const p of pred) {
      const s = get(p.type);
      s.pred++;
      if (gold.some((g) => g.type === p.type && ov(p, g))) s.tpPred++;
    }
    const detected = gold.length > 0 ? gold.every((g) => pred.some((p) => ov(p, g))) : pred.length > 0;
    if (r.label === 1) detected ? rowStats.tp++ : rowStats.fn++;
    else pred.length > 0 ? rowStats.fp++ : rowStats.tn++;
  }
  return { per, rowStats };
}
function printSpans(title, { per, rowStats }, groups) {
  console.log(`\n${title} (span overlap, same type)`);
  console.log(`  ${'type'.padEnd(30)} gold  pred  prec    recall  F2`);
  const sum = (types) => {
    const acc = { tpGold: 0, gold: 0, tpPred: 0, pred: 0 };
    for (const t of types) {
      const s = per.get(t);
      if (!s) continue;
      for (const k of Object.keys(acc)) acc[k] += s[k];
    }
    return acc;
  };
  const line = (name, s) => {
    const p = ratio(s.tpPred, s.pred);
    const r = ratio(s.tpGold, s.gold);
    console.log(
      `  ${name.padEnd(30)} ${String(s.gold).padStart(4)}  ${String(s.pred).padStart(4)}  ${fmt(p)}  ${fmt(r)}  ${fmt(fbeta(p, r, 2))}`,
    );
  };
  for (const t of [...per.keys()].sort()) line(t, per.get(t));
  for (const [name, types] of groups) line(name, sum(types));
  console.log(
    `  rows: recall ${fmt(ratio(rowStats.tp, rowStats.tp + rowStats.fn))} (all gold spans found), fpr ${fmt(ratio(rowStats.fp, rowStats.fp + rowStats.tn))} (negative rows with any finding)`,
  );
}
const pii = spanEval('pii_presidio_synth.jsonl', 'pii.');
const patternTypes = ['pii.email', 'pii.phone', 'pii.ssn', 'pii.credit_card', 'pii.iban', 'pii.ip_address'];
printSpans('PII', pii, [
  ['[micro: pattern types]', patternTypes],
  ['[micro: all types]', [...pii.per.keys()]],
]);
const secrets = spanEval('secrets_synth.jsonl', 'secret.');
printSpans('Secrets', secrets, [['[micro: all types]', [...secrets.per.keys()]]]);
console.log(`\n(${((performance.now() - t0) / 1000).toFixed(1)} s)`);
