// Train the learned injection/jailbreak classifier on the development data and write the weights.
// Usage: pnpm --filter @llmtrace/security build && pnpm --filter @llmtrace/security train [--data DIR]
// Prints grouped 5-fold cross-validated metrics of the model alone, then trains on all rows.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createModel, serializeModel, trainLogistic } from '../dist/model/index.js';
import { datasetDir, foldsFor, trainingRows } from './dataset.mjs';

const SEED = 42;
const K = 5;
const dir = datasetDir();
const rows = trainingRows(dir);
const folds = foldsFor(rows, K, SEED);
const prob = new Array(rows.length).fill(0);
for (let k = 0; k < K; k++) {
  const train = rows.filter((_, i) => folds[i] !== k).map((r) => ({ text: r.text, label: r.label }));
  const model = createModel(trainLogistic(train, { seed: SEED }));
  rows.forEach((r, i) => {
    if (folds[i] === k) prob[i] = model.predict(r.text);
  });
}
const byFile = new Map();
rows.forEach((r, i) => {
  const s = byFile.get(r.file) ?? { tp: 0, fp: 0, fn: 0, tn: 0 };
  const pred = prob[i] >= 0.5;
  if (r.label === 1) pred ? s.tp++ : s.fn++;
  else pred ? s.fp++ : s.tn++;
  byFile.set(r.file, s);
});
console.log(`learned model, grouped ${K}-fold CV (seed ${SEED}), threshold 0.5`);
const metrics = {};
for (const [file, s] of byFile) {
  const recall = s.tp + s.fn > 0 ? s.tp / (s.tp + s.fn) : null;
  const fpr = s.fp + s.tn > 0 ? s.fp / (s.fp + s.tn) : null;
  const precision = s.tp + s.fp > 0 ? s.tp / (s.tp + s.fp) : null;
  const f1 =
    recall !== null && precision !== null && recall + precision > 0
      ? (2 * recall * precision) / (recall + precision)
      : null;
  metrics[file] = { recall, fpr, precision, f1 };
  const fmt = (x) => (x === null ? '   - ' : x.toFixed(3));
  console.log(
    `  ${file.padEnd(28)} recall ${fmt(recall)}  fpr ${fmt(fpr)}  precision ${fmt(precision)}  f1 ${fmt(f1)}`,
  );
}
const full = trainLogistic(
  rows.map((r) => ({ text: r.text, label: r.label })),
  { seed: SEED },
);
const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'model', 'weights', 'injection.json');
const weights = serializeModel(full.weights, full.bias, full.features, {
  trainedOn: 'security-dev (all rows of the injection/jailbreak files; pii and secrets texts as benign)',
  rows: rows.length,
  seed: SEED,
  cv: metrics,
});
writeFileSync(out, JSON.stringify(weights));
console.log(`wrote weights (${rows.length} rows, ${(JSON.stringify(weights).length / 1024).toFixed(0)} KB)`);
