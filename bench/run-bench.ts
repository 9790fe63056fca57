/**
 * npm run bench [-- --sizes 1000,10000,100000 --engines postgres,pglite --runs 3 --only catalog,slack,nudges --json]
 *
 * Generates deterministic catalogs (bench/generate-catalog.ts), runs each (size, engine) scenario
 * in its own process (bench/scenario.ts for the catalog, bench/slack-bench.ts for the Slack app)
 * and prints a table of medians and percentiles for each. Needs a PostgreSQL server where it may
 * create and drop databases (--server-url, default the local one). Shows progress on a terminal;
 * with --json prints only the results as JSON: `{ catalog: [...], slack: [...] }`.
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
    only: { type: 'string', default: 'catalog,slack,docs,health,scorecards,nudges,plugins' },
    'server-url': { type: 'string', default: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  process.stdout.write('npm run bench -- [--sizes 1000,10000,100000] [--engines postgres,pglite] [--runs 3] [--only catalog,slack,docs,health,scorecards,nudges,plugins] [--server-url URL] [--json]\n');
  process.exit(0);
}
const suites = new Set(values.only!.split(','));
for (const suite of suites) {
  if (!['catalog', 'slack', 'docs', 'health', 'scorecards', 'nudges', 'plugins'].includes(suite)) {
    process.stderr.write(`--only takes catalog, slack, docs, health, scorecards, nudges and/or plugins, not ${suite}\n`);
    process.exit(2);
  }
}
const repoRoot = path.resolve(import.meta.dirname, '..');
const out = path.join(repoRoot, 'bench', '.out');
const progress = (message: string) => {
  if (!values.json) process.stderr.write(`${message}\n`);
};

if (suites.has('catalog')) {
  progress('Building the CLI (the start-to-answer figure runs it as users do)...');
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: repoRoot, stdio: values.json ? 'ignore' : 'inherit' });
}

type Row = Record<string, number | string>;
const rows: Row[] = [];
const slackRows: Row[] = [];
/** One scenario in a process of its own (clean heap and RSS); its result is the last line it prints. */
const scenario = (script: string, args: string[]): Row => {
  const output = execFileSync(
    process.execPath,
    ['--expose-gc', '--max-old-space-size=8192', '--import', 'tsx', path.join(repoRoot, 'bench', script), ...args, '--server-url', values['server-url']!],
    { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 },
  );
  return JSON.parse(output.trim().split('\n').at(-1)!) as Row;
};
for (const size of suites.has('catalog') || suites.has('slack') ? values.sizes!.split(',').map(Number) : []) {
  const dir = path.join(out, `catalog-${size}`);
  progress(`Generating ${size} entities in ${dir}...`);
  mkdirSync(out, { recursive: true });
  const generated = generateCatalog(size, dir);
  const namesFile = path.join(out, `names-${size}.json`);
  writeFileSync(namesFile, JSON.stringify({ components: shuffle(generated.componentNames), words: WORDS }));
  for (const engine of values.engines!.split(',')) {
    const catalogOf = ['--size', String(size), '--engine', engine, '--dir', dir, '--names', namesFile];
    if (suites.has('catalog')) {
      progress(`Measuring ${size} entities on ${engine} (${values.runs} runs)...`);
      rows.push(scenario('scenario.ts', [...catalogOf, '--runs', values.runs!]));
    }
    if (suites.has('slack')) {
      progress(`Measuring the Slack app on ${size} entities on ${engine}...`);
      slackRows.push(scenario('slack-bench.ts', catalogOf));
    }
  }
}

const docsRows: Row[] = [];
if (suites.has('docs')) {
  progress('Measuring the docs search over 20,000 sections...');
  docsRows.push(scenario('docs-bench.ts', ['--sections', '20000']));
}

const healthRows: Row[] = [];
if (suites.has('health')) {
  progress('Measuring /health over three loopback HTTPS clusters...');
  healthRows.push(scenario('health-bench.ts', []));
}

const scorecardRows: Row[] = [];
if (suites.has('scorecards')) {
  progress('Measuring scorecards over 100,000 entities...');
  scorecardRows.push(scenario('scorecard-bench.ts', ['--size', '100000']));
}

const nudgeRows: Row[] = [];
if (suites.has('nudges')) {
  progress('Measuring a nudge run for 1,000 teams against a rate-limited loopback Slack...');
  nudgeRows.push(scenario('nudge-bench.ts', ['--teams', '1000']));
}

const pluginRows: Row[] = [];
if (suites.has('plugins')) {
  progress('Measuring ten plugins loading, and the ownership card with three plugin sections over 100,000 entities...');
  pluginRows.push(scenario('plugin-bench.ts', ['--size', '100000']));
}

/** The plugin issue's targets: ten plugins add at most 100 ms to start-up; a card with three sections answers within 50 ms p99, and within the hanging section's budget. */
const PLUGIN_TARGETS = { loadAddedMs: 100, cardP99Ms: 50 };

/** The issues' targets for the Slack app at 100k entities: p99 under 50 ms at 50 in flight, 300 commands a second, a template's first form page open within 300 ms. */
const SLACK_TARGETS = { p99Ms: 50, commandsPerSecond: 300, firstPageMs: 300 };
/** The docs issue's targets: 20,000 sections indexed within 2 s, searched with a p99 of at most 10 ms. */
const DOCS_TARGETS = { indexMs: 2_000, searchP99Ms: 10 };
/** /health's targets: 200 ms when every cluster answers on loopback, 2 s when one of three hangs. */
const HEALTH_TARGETS = { allMs: 200, hangingMs: 2_000 };
/** Scorecards' targets at 100k entities: the default scorecard's entity-fact checks within 5 s, a team's answer within 100 ms. */
const SCORECARD_TARGETS = { evaluateMs: 5_000, teamMs: 100 };

if (values.json) {
  process.stdout.write(`${JSON.stringify({ catalog: rows, slack: slackRows, docs: docsRows, health: healthRows, scorecards: scorecardRows, nudges: nudgeRows, plugins: pluginRows }, null, 2)}\n`);
} else {
  const sections: string[] = [];
  if (rows.length > 0) sections.push(catalogTable(rows));
  if (slackRows.length > 0) sections.push(slackTable(slackRows));
  if (docsRows.length > 0) sections.push(docsTable(docsRows));
  if (healthRows.length > 0) sections.push(healthTable(healthRows));
  if (scorecardRows.length > 0) sections.push(scorecardTable(scorecardRows));
  if (nudgeRows.length > 0) sections.push(nudgeTable(nudgeRows));
  if (pluginRows.length > 0) sections.push(pluginTable(pluginRows));
  process.stdout.write(sections.join('\n'));
}

function catalogTable(rows: Row[]): string {
  return `${table([
    ['N', 'engine', 'ingest s', 'cold re-sync s', 're-sync s', 'edit→answer ms', 'whoOwns p50/p99 ms', 'find exact p50/p99 ms', 'find prefix+typo p50/p99 ms', 'index build s', 'index heap MB', 'index update p50 ms', 'steady RSS MB', 'peak RSS MB', 'start→answer s', 'template run ms', 'picker suggestions p50/p99 ms'],
    ...rows.map((row) => [
      String(row.size), String(row.engine), f(Number(row.ingestMs) / 1000, 2), f(Number(row.coldResyncMs) / 1000, 2), f(Number(row.resyncMs) / 1000, 2), f(row.editVisibleMs, 0),
      `${f(row.whoOwnsP50, 3)} / ${f(row.whoOwnsP99, 3)}`, `${f(row.findExactP50, 2)} / ${f(row.findExactP99, 2)}`,
      `${f(row.findFuzzyP50, 2)} / ${f(row.findFuzzyP99, 2)}`, f(Number(row.indexBuildMs) / 1000, 2), f(row.indexHeapMb, 0),
      f(row.indexUpdateP50, 3), f(row.steadyRssMb, 0), f(row.peakRssMb, 0), f(Number(row.startToAnswerMs) / 1000, 2), f(row.templateRunMs, 0), `${f(row.suggestionsP50, 2)} / ${f(row.suggestionsP99, 2)}`,
    ]),
  ])}

Medians of ${values.runs} runs for ingest, re-sync, edit and start; percentiles over 2,000 whoOwns and ${WORDS.length * 4} find queries.
Steady RSS: a separate process that starts on the stored catalog, refreshes it twice, answers and takes the edits, its heap run as callboard start runs it (after forced GC); peak: the higher of that process and one storing the catalog for the first time.
Start→answer: the compiled CLI's whoowns, from its start to the answer printed.
Template run: the shipped typescript-service template end to end on this catalog (fetch, publish:github publishing locally as a git repository, catalog:register until whoOwns answers), median of ${values.runs} after one to warm up.
Picker suggestions: what a template form's OwnerPicker (groups and users) and EntityPicker (systems) offer for nothing typed, prefixes and whole words.
`;
}

function slackTable(rows: Row[]): string {
  const missed = (row: Row) => [
    ...(Number(row.p99Ms) < SLACK_TARGETS.p99Ms ? [] : ['p99']),
    ...(Number(row.commandsPerSecond) >= SLACK_TARGETS.commandsPerSecond ? [] : ['commands/s']),
    ...(Number(row.firstPageP99Ms) <= SLACK_TARGETS.firstPageMs ? [] : ['first form page']),
  ];
  return `${table([
    ['N', 'engine', 'concurrency', 'requests', 'p50 ms', `p99 ms (target < ${SLACK_TARGETS.p99Ms})`, 'max ms', `commands/s (target ≥ ${SLACK_TARGETS.commandsPerSecond})`, 'deferred', 'Web API calls', 'picker modal p50/p99 ms', `first form page p50/p99 ms (target ≤ ${SLACK_TARGETS.firstPageMs})`, 'targets'],
    ...rows.map((row) => [
      String(row.size), String(row.engine), String(row.concurrency), String(row.requests), f(row.p50Ms), f(row.p99Ms), f(row.maxMs), f(row.commandsPerSecond, 0), String(row.deferred), String(row.webApiCalls),
      `${f(row.pickerP50Ms, 0)} / ${f(row.pickerP99Ms, 0)}`, `${f(row.firstPageP50Ms, 0)} / ${f(row.firstPageP99Ms, 0)}`,
      missed(row).length === 0 ? 'met' : `missed: ${missed(row).join(', ')}`,
    ]),
  ])}

Signed /whoowns slash commands, each with its own trigger_id, that many in flight over keep-alive connections, after a warm-up of 3,000 commands on other names, so the figures are those of a server that has been running (compiled, caches filled).
Latency: from sending a command to its ownership card arriving, in the acknowledgement or (deferred) at response_url; commands/s over the whole run.
Web API calls: the app's lookups of people it had not met yet (users.lookupByEmail, answered on loopback; Slack itself is slower).
Modals: 50 /create-service commands one at a time after the load, each from its signed request to the app's views.open reaching the loopback Slack: the template picker (no text), and typescript-service's first form page (its name given).
`;
}

function docsTable(rows: Row[]): string {
  return `${table([
    ['sites', 'sections', `read+index s (target ≤ ${DOCS_TARGETS.indexMs / 1000})`, 'again, unchanged s', `search p50 / p99 ms (target p99 ≤ ${DOCS_TARGETS.searchP99Ms})`, 'searches'],
    ...rows.map((row) => [String(row.sites), String(row.sections), f(Number(row.indexMs) / 1000, 2), f(Number(row.unchangedMs) / 1000, 2), `${f(row.searchP50, 2)} / ${f(row.searchP99, 2)}`, String(row.searches)]),
  ])}

A generated catalog of documented services on disk (mkdocs.yml, eight pages of five sections each, a made-up 2,000-word vocabulary), stored on PGlite; then its docs read, split and indexed, and read again with every page unchanged.
Searches: questions ("how do I rotate the api keys?"), pairs of words, half-typed words and words with nothing in common, each timed through the docs service's answer.
`;
}

function healthTable(rows: Row[]): string {
  return `${table([
    ['requests', `all answer p50 / p99 ms (target ≤ ${HEALTH_TARGETS.allMs})`, `one of three hangs p50 / p99 ms (target ≤ ${HEALTH_TARGETS.hangingMs})`],
    ...rows.map((row) => [String(row.requests), `${f(row.allP50, 0)} / ${f(row.allP99, 0)}`, `${f(row.hangingP50, 0)} / ${f(row.hangingP99, 0)}`]),
  ])}

An entity's workloads in three loopback HTTPS clusters (certificates made with openssl), read with @kubernetes/client-node, each answer fetched afresh; with one cluster hanging, its calls are cut at the 1.5 s deadline.
`;
}

function scorecardTable(rows: Row[]): string {
  return `${table([
    ['N', 'engine', 'entities scored', `evaluate all s (target ≤ ${SCORECARD_TARGETS.evaluateMs / 1000})`, 'evaluate + store, first / unchanged s', `--team p50 / p99 ms (target ≤ ${SCORECARD_TARGETS.teamMs})`, 'teams'],
    ...rows.map((row) => [String(row.size), String(row.engine), String(row.scored), f(Number(row.evaluateMs) / 1000, 2), `${f(Number(row.recordFirstMs) / 1000, 2)} / ${f(Number(row.recordAgainMs) / 1000, 2)}`, `${f(row.teamP50, 1)} / ${f(row.teamP99, 1)}`, String(row.teams)]),
  ])}

The generated catalog stored on PGlite; every entity scored on the shipped scorecard's entity-fact checks (it applies to Components), median of three; then scorecard --team for 200 groups, after 20 to warm up.
`;
}

function nudgeTable(rows: Row[]): string {
  return `${table([
    ['teams', 'channels', 'sent', 'run s', 'messages/s', '429s waited out', 'lost', 'sent twice', 'closest two to one channel ms (limit 1,000)'],
    ...rows.map((row) => [String(row.teams), String(row.channels), String(row.sent), f(Number(row.runMs) / 1000, 1), f(row.messagesPerSecond, 1), String(row.rateLimited), String(row.lost), String(row.repeated), f(row.minChannelGapMs, 0)]),
  ])}

One nudge run, through the ledger on PGlite, for teams that each own one failing service and have a channel (some pairs share one, posted one after the other); the loopback Slack answers 429 with Retry-After: 1 to a second message to a channel within a second, or beyond ${rows[0]?.workspacePerSecond ?? 100} messages a second in the workspace.
`;
}

function pluginTable(rows: Row[]): string {
  return `${table([
    ['N', 'plugins', `load adds ms, median / max (target ≤ ${PLUGIN_TARGETS.loadAddedMs})`, `card with 3 sections p50 / p99 ms (target p99 ≤ ${PLUGIN_TARGETS.cardP99Ms})`, 'one section hanging p50 / max ms (its budget)'],
    ...rows.map((row) => [String(row.size), String(row.plugins), `${f(row.loadAddedMs, 0)} / ${f(row.loadAddedMaxMs, 0)}`, `${f(row.cardP50, 2)} / ${f(row.cardP99, 2)}`, `${f(row.hangingP50, 0)} / ${f(row.hangingMax, 0)} (${String(row.hangingBudgetMs)})`]),
  ])}

Ten plugin modules (each a command, a card section, an action and a fact, with a config schema) loaded as start-up loads them, against the built-in plugin alone, median of 9 runs with fresh module files; then the ownership card for 2,000 Components of the generated catalog (stored on PGlite) with three sections that answer at once, and for 20 with one of them never answering.
`;
}

function f(value: unknown, digits = 1): string {
  return typeof value === 'number' ? value.toFixed(digits) : String(value);
}

function table(lines: string[][]): string {
  const widths = lines[0]!.map((_, column) => Math.max(...lines.map((line) => line[column]!.length)));
  return lines
    .flatMap((line, index) => [line.map((cell, column) => cell.padEnd(widths[column]!)).join(' | '), ...(index === 0 ? [widths.map((width) => '-'.repeat(width)).join('-|-')] : [])])
    .join('\n');
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
