import type { DocsAnswer } from '../docs/docs-service.js';
import type { HealthAnswer } from '../kubernetes/health-service.js';
import type { FindAnswer } from '../catalog/answers/find.js';
import type { WhoOwnsAnswer } from '../catalog/answers/who-owns.js';
import type { RefreshReport } from '../catalog/catalog-service.js';
import { formatProblem, type CatalogProblem } from '../catalog/processing/catalog-problem.js';
import type { RunStatus } from '../scaffolder/run-template.js';
import type { CheckStatus } from '../scorecards/evaluate-scorecards.js';
import type { EntityScorecardAnswer, TeamScorecardAnswer } from '../scorecards/scorecard-service.js';
import type { NudgePlan } from '../scorecards/nudge-planner.js';
import type { NudgeRunReport } from '../scorecards/nudge-run.js';
import type { PluginReport } from '../plugins/load-plugins.js';
import type { OnCallReport } from '../oncall/oncall-service.js';

/** A step's state on a terminal. */
export const STEP_MARKS: Record<RunStatus, string> = { open: '○', processing: '…', completed: '✓', failed: '✗', cancelled: '⊘', skipped: '»' };

/** Contacts that `onCall` already lists, with their links. */
const ON_CALL_ANNOTATION = /^(pagerduty|opsgenie)\.com\//;

/** Readable text for a terminal; `--json` prints the answer objects instead. */
export function formatWhoOwns(answer: WhoOwnsAnswer): string {
  if (!answer.match) {
    const lines = [`Nothing in the catalog matches "${answer.query}".`];
    if (answer.suggestions.length > 0) lines.push(`Did you mean: ${answer.suggestions.join(', ')}?`);
    return lines.join('\n');
  }
  const { match, owner } = answer;
  const lines = [`${match.title} (${match.ref})`];
  const facts = [match.kind, match.type, match.lifecycle].filter(Boolean).join(' · ');
  lines.push(`  ${facts}`);
  if (match.description) lines.push(`  ${match.description}`);
  if (answer.owns) {
    lines.push(answer.owns.length > 0 ? `  Owns (${answer.owns.length}): ${answer.owns.join(', ')}` : '  Owns nothing in the catalog.');
    if (answer.memberOf?.length) lines.push(`  Member of: ${answer.memberOf.join(', ')}`);
  }
  if (owner) {
    lines.push(`  Owner: ${owner.displayName} (${owner.ref})${owner.email ? ` <${owner.email}>` : ''}`);
    if (owner.members.length > 0) lines.push(`  Members: ${owner.members.join(', ')}`);
    if (owner.parent) lines.push(`  Part of: ${owner.parent}`);
    for (const [key, value] of Object.entries(owner.contacts)) if (!ON_CALL_ANNOTATION.test(key)) lines.push(`  ${key}: ${value}`);
  }
  for (const contact of answer.onCall) lines.push(`  On call: ${contact.provider} ${contact.label}${contact.url ? ` ${contact.url}` : ''}`);
  if (answer.system) lines.push(`  System: ${answer.system}${answer.domain ? ` (domain ${answer.domain})` : ''}`);
  for (const link of answer.links) lines.push(`  ${link.title ?? 'Link'}: ${link.url}`);
  if (answer.source) lines.push(`  Source: ${answer.source}`);
  for (const warning of answer.warnings) lines.push(`  ! ${warning}`);
  return lines.join('\n');
}

export function formatFind(answer: FindAnswer): string {
  const lines: string[] = [];
  if (answer.results.length === 0) lines.push(`No entities match "${answer.query}".`);
  else lines.push(`${answer.total} match${answer.total === 1 ? '' : 'es'}${answer.total > answer.results.length ? `, showing ${answer.offset + 1}-${answer.offset + answer.results.length}` : ''}:`);
  for (const result of answer.results) {
    lines.push(`  ${result.title} (${result.ref})${result.owner ? ` owned by ${result.owner}` : ''}`);
    if (result.description) lines.push(`      ${result.description.split('\n')[0]!.slice(0, 120)}`);
  }
  const facetLine = (name: string, counts: Record<string, number>) => {
    const top = Object.entries(counts).sort((a, b) => b[1] - a[1]).slice(0, 8);
    return top.length > 0 ? `  ${name}: ${top.map(([value, count]) => `${value} ${count}`).join(', ')}` : undefined;
  };
  const facets = [facetLine('kinds', answer.facets.kind), facetLine('types', answer.facets.type), facetLine('tags', answer.facets.tag), facetLine('lifecycles', answer.facets.lifecycle)].filter(Boolean);
  if (facets.length > 0) lines.push('', ...(facets as string[]));
  return lines.join('\n');
}

export function formatProblems(problems: CatalogProblem[]): string {
  return problems.map(formatProblem).join('\n');
}

export function formatRefresh(report: RefreshReport): string {
  const lines = [
    `${report.entities} entities: ${report.added} added, ${report.updated} updated, ${report.unchanged} unchanged, ${report.removed} removed${report.kept ? `, ${report.kept} kept after transient failures` : ''} (${report.durationMs} ms).`,
  ];
  for (const [key, root] of Object.entries(report.roots)) {
    if (root.status !== 'ok') lines.push(`  ${key}: ${root.status}${root.error ? `: ${root.error}` : ''}`);
  }
  if (report.problems.length > 0) lines.push(`${report.problems.length} problem(s):`, formatProblems(report.problems));
  return lines.join('\n');
}

export function formatTemplates(answer: { templates: { name: string; title: string; description: string; source: string; pages: string[] }[]; problems: { file: string; message: string }[] }): string {
  const lines = answer.templates.length === 0 ? ['No templates.'] : [];
  for (const template of answer.templates) {
    lines.push(`${template.title} (${template.name})${template.description ? `: ${template.description}` : ''}`);
    if (template.pages.length > 0) lines.push(`  pages: ${template.pages.join(' → ')}`);
    lines.push(`  from ${template.source}`);
  }
  for (const problem of answer.problems) lines.push(`${problem.file}: ${problem.message}`);
  return lines.join('\n');
}

export function formatTemplateRun(answer: {
  run: { template: string; status: string; error?: string; approval?: { approvers: string; state: string }; steps: { id: string; action: string; status: RunStatus; log: string[] }[] };
  output: { links: { title: string; url?: string; entityRef?: string }[]; text: { title: string; content: string }[] };
  files: string[];
}): string {
  const waiting = answer.run.approval?.state === 'pending' ? `, waiting for approval by ${answer.run.approval.approvers}` : '';
  const lines = [`${answer.run.template}: ${answer.run.status}${waiting}${answer.run.error ? `: ${answer.run.error}` : ''}`];
  for (const step of answer.run.steps) {
    lines.push(`  ${STEP_MARKS[step.status]} ${step.id} (${step.action}) ${step.status}`);
    for (const entry of step.log) lines.push(`      ${entry.replaceAll('\n', '\n      ')}`);
  }
  for (const link of answer.output.links) lines.push(`${link.title}: ${link.url ?? link.entityRef ?? ''}`);
  for (const text of answer.output.text) lines.push(`${text.title}\n${text.content}`);
  if (answer.files.length > 0) lines.push(`files: ${answer.files.join(', ')}`);
  return lines.join('\n');
}

export function formatDocs(answer: DocsAnswer): string {
  const lines: string[] = [];
  if (answer.entity) {
    lines.push(`Docs for ${answer.entity}`);
    for (const link of answer.links) lines.push(`  ${link.title}: ${link.url}`);
    if (answer.toc.length > 0) lines.push('Contents:');
    for (const entry of answer.toc) lines.push(`${'  '.repeat(entry.level)}${entry.title}: ${entry.url}`);
    for (const problem of answer.problems) lines.push(`  (${problem})`);
    if (answer.links.length === 0 && answer.toc.length === 0 && answer.problems.length === 0) lines.push('  No docs.');
    return lines.join('\n');
  }
  if (answer.sections.length === 0) return `No docs answer "${answer.query}".`;
  for (const section of answer.sections) lines.push(`${section.heading} (${section.page}, ${section.entity})\n  ${section.snippet}\n  ${section.url}`);
  return lines.join('\n');
}

export function formatHealth(answer: HealthAnswer): string {
  const lines = [`${answer.entity ?? 'unknown entity'}: ${answer.status}`, ...answer.reasons.map((reason) => `  ${reason}`)];
  for (const cluster of answer.clusters) {
    lines.push(`cluster ${cluster.name}: ${cluster.status}${cluster.error ? ` (${cluster.error})` : ''}`);
    for (const workload of cluster.workloads) lines.push(`  ${workload.kind} ${workload.namespace}/${workload.name}: ${workload.ready}/${workload.desired} ready, ${workload.images.join(', ') || 'no image'}`);
    for (const event of cluster.events) lines.push(`  warning ${event.object} ${event.reason}${event.count > 1 ? ` (×${event.count})` : ''}: ${event.message}`);
  }
  return lines.join('\n');
}

/** A check's status on a terminal. */
const CHECK_MARKS: Record<CheckStatus, string> = { pass: '✓', fail: '✗', unknown: '?', snoozed: 'z', wontfix: '–' };

export function formatScorecard(answer: EntityScorecardAnswer): string {
  if (!answer.entity) return answer.reasons.join('\n');
  const lines = [`${answer.entity}${answer.owner ? ` (owner ${answer.owner})` : ''}`, ...answer.reasons.map((reason) => `  ${reason}`)];
  for (const scorecard of answer.scorecards) {
    lines.push(`${scorecard.title}: ${scorecard.level ?? 'no level yet'} (levels ${scorecard.levels.join(' → ')})`);
    for (const check of scorecard.checks) {
      lines.push(`  ${CHECK_MARKS[check.status]} [${check.level}] ${check.title}${check.status === 'pass' ? '' : `: ${check.message}`}`);
      if (check.status === 'fail' && check.fix) lines.push(`      fix: ${check.fix}`);
    }
  }
  for (const problem of answer.problems) lines.push(`(scorecard problem) ${problem.file}: ${problem.field}: ${problem.message}`);
  return lines.join('\n');
}

export function formatTeamScorecard(answer: TeamScorecardAnswer): string {
  if (!answer.team) return answer.reasons.join('\n');
  const lines = [answer.team, ...answer.reasons.map((reason) => `  ${reason}`)];
  for (const entity of answer.entities) lines.push(`  ${entity.ref}: ${entity.level ?? 'no level'}${entity.failing.length > 0 ? `; failing ${entity.failing.join(', ')}` : ''}`);
  return lines.join('\n');
}

export function formatOnCall(report: OnCallReport): string {
  if (!report.entity) return report.reasons.join('\n');
  const lines = [`On call for ${report.entity}`];
  for (const provider of report.providers) {
    if (provider.status === 'error') {
      lines.push(`  ${provider.title}: ${provider.message ?? 'failed'}`);
      continue;
    }
    lines.push(`  ${provider.title}${provider.link ? ` (${provider.link})` : ''}`);
    for (const who of provider.oncall) lines.push(`    ${who.when === 'now' ? 'now ' : 'next'} ${who.name}${who.email ? ` <${who.email}>` : ''}${who.level !== undefined ? `, level ${who.level}` : ''}${who.when === 'now' && who.end ? `, until ${who.end}` : ''}${who.when === 'next' && who.start ? `, from ${who.start}` : ''}`);
  }
  lines.push(...report.reasons);
  return lines.join('\n');
}

export function formatPlugins(plugins: PluginReport[]): string {
  return plugins
    .map((plugin) => {
      const adds = Object.entries(plugin.adds).filter(([, names]) => names.length > 0).map(([kind, names]) => `${kind}: ${names.join(', ')}`);
      return plugin.status === 'failed' ? `✗ ${plugin.id} (${plugin.source}): ${plugin.error}` : `✓ ${plugin.id} (${plugin.source})${adds.length > 0 ? `\n    ${adds.join('\n    ')}` : ''}`;
    })
    .join('\n');
}

export function formatNudgeReport(report: NudgeRunReport): string {
  const lines = [`Nudges at ${report.at}: ${report.sent.length} sent${report.confirmed > 0 ? `, ${report.confirmed} found already sent by an interrupted run` : ''}`];
  for (const sent of report.sent) lines.push(`  ✓ ${sent.team} → ${sent.recipient}`);
  for (const failed of report.undeliverable) lines.push(`  ✗ ${failed.team} → ${failed.recipient}: ${failed.reason}`);
  for (const waiting of report.pending) lines.push(`  … ${waiting.team} → ${waiting.recipient}: ${waiting.error} (the next run plans it again)`);
  if (report.superseded > 0) lines.push(`${report.superseded} nudge(s) an earlier run left unsent were planned again`);
  if (report.orphans.length > 0) lines.push(`Without an owner in the catalog: ${report.orphans.join(', ')}`);
  for (const skip of report.skipped) lines.push(`Skipped ${skip.team}: ${skip.reason}`);
  return lines.join('\n');
}

export function formatNudgePlan(plan: NudgePlan): string {
  const lines = [`Nudges at ${plan.at}: ${plan.messages.length} message(s)`];
  for (const message of plan.messages) {
    const to = message.channel ? `channel ${message.channel}` : `direct messages to ${message.users.join(', ')}`;
    lines.push(`${message.team} (${to})${message.individual ? ', owned by one person' : ''}`);
    for (const entity of message.entities) {
      lines.push(`  ${entity.ref}`);
      for (const failure of entity.failing) lines.push(`    ✗ ${failure.title} (${failure.scorecard}/${failure.check}), failing since ${failure.since}${failure.regression ? ', a regression' : ''}`);
    }
  }
  if (plan.orphans.length > 0) lines.push(`Without an owner in the catalog: ${plan.orphans.join(', ')}`);
  for (const skip of plan.skipped) lines.push(`Skipped ${skip.team}: ${skip.reason}`);
  return lines.join('\n');
}
