/**
 * npm run bench [-- --sizes 1000,10000,100000 --engines postgres,pglite --runs 3 --json]
 *
 * Generates deterministic catalogs (bench/generate-catalog.ts), runs each (size, engine) scenario
 * in its own process (bench/scenario.ts) and prints a table of medians and percentiles. Needs a
 * PostgreSQL server where it may create and drop databases (--server-url, default the local one).
 * Shows progress on a terminal; with --json prints only the results as JSON.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { generateCatalog, WORDS } from './generate-catalog.js';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1000,10000,100000' },
    engines: { type: 'string', default: 'postgres,pglite' },
    runs: { type: 'string', default: '3' },
    'server-url': { type: 'string', default: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  process.stdout.write('npm run bench -- [--sizes 1000,10000,100000] [--engines postgres,pglite] [--runs 3] [--server-url URL] [--json]\n');
  process.exit(0);
}
const repoRoot = path.resolve(import.meta.dirname, '..');
const out = path.join(repoRoot, 'bench', '.out');
const progress = (message: string) => {
  if (!values.json) process.stderr.write(`${message}\n`);
};

progress('Building the CLI (the start-to-answer figure runs it as users do)...');
execFileSync('npm', ['run', 'build', '--silent'], { cwd: repoRoot, stdio: values.json ? 'ignore' : 'inherit' });

const rows: Record<string, number | string>[] = [];
for (const size of values.sizes!.split(',').map(Number)) {
  const dir = path.join(out, `catalog-${size}`);
  progress(`Generating ${size} entities in ${dir}...`);
  mkdirSync(out, { recursive: true });
  const generated = generateCatalog(size, dir);
  const namesFile = path.join(out, `names-${size}.json`);
  writeFileSync(namesFile, JSON.stringify({ components: shuffle(generated.componentNames), words: WORDS }));
  for (const engine of values.engines!.split(',')) {
    progress(`Measuring ${size} entities on ${engine} (${values.runs} runs)...`);
    const output = execFileSync(
      process.execPath,
      ['--expose-gc', '--max-old-space-size=8192', '--import', 'tsx', path.join(repoRoot, 'bench/scenario.ts'),
        '--size', String(size), '--engine', engine, '--dir', dir, '--runs', values.runs!, '--names', namesFile, '--server-url', values['server-url']!],
      { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 },
    );
    rows.push(JSON.parse(output.trim().split('\n').at(-1)!));
  }
}

if (values.json) {
  process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
} else {
  const f = (value: unknown, digits = 1) => (typeof value === 'number' ? value.toFixed(digits) : String(value));
  const table = [
    ['N', 'engine', 'ingest s', 'cold re-sync s', 're-sync s', 'edit→answer ms', 'whoOwns p50/p99 ms', 'find exact p50/p99 ms', 'find prefix+typo p50/p99 ms', 'index build s', 'index heap MB', 'index update p50 ms', 'steady RSS MB', 'peak RSS MB', 'start→answer s'],
    ...rows.map((row) => [
      String(row.size), String(row.engine), f(Number(row.ingestMs) / 1000, 2), f(Number(row.coldResyncMs) / 1000, 2), f(Number(row.resyncMs) / 1000, 2), f(row.editVisibleMs, 0),
      `${f(row.whoOwnsP50, 3)} / ${f(row.whoOwnsP99, 3)}`, `${f(row.findExactP50, 2)} / ${f(row.findExactP99, 2)}`,
      `${f(row.findFuzzyP50, 2)} / ${f(row.findFuzzyP99, 2)}`, f(Number(row.indexBuildMs) / 1000, 2), f(row.indexHeapMb, 0),
      f(row.indexUpdateP50, 3), f(row.steadyRssMb, 0), f(row.peakRssMb, 0), f(Number(row.startToAnswerMs) / 1000, 2),
    ]),
  ];
  const widths = table[0]!.map((_, column) => Math.max(...table.map((line) => line[column]!.length)));
  for (const [index, line] of table.entries()) {
    process.stdout.write(`${line.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')}\n`);
    if (index === 0) process.stdout.write(`${widths.map((width) => '-'.repeat(width)).join('-|-')}\n`);
  }
  process.stdout.write(`\nMedians of ${values.runs} runs for ingest, re-sync and start; percentiles over 2,000 whoOwns and ${WORDS.length * 4} find queries.\n`);
  process.stdout.write('Steady RSS: a separate process that starts on the stored catalog, refreshes it twice and answers (after GC); peak: the higher of that process and the ingesting one.\n');
}

/** Deterministic shuffle so the queried names are spread over the catalog. */
function shuffle<T>(items: T[]): T[] {
  const copy = [...items];
  let seed = 42;
  for (let index = copy.length - 1; index > 0; index--) {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    const other = seed % (index + 1);
    [copy[index], copy[other]] = [copy[other]!, copy[index]!];
  }
  return copy;
}
