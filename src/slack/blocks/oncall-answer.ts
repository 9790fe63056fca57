import type { KnownBlock } from '@slack/types';
import type { OnCallReport } from '../../oncall/oncall-service.js';
import type { OnCallPerson, OnCallProviderAnswer } from '../../oncall/oncall-provider.js';
import { linesAsSections, section } from './block-parts.js';
import { fitMessage, type SlackMessage } from './limits.js';
import { escapeText, link, mention, slackDate } from './mrkdwn.js';

/** A provider's time in the reader's own time zone; a time that does not parse is shown as the text it was. */
function providerTime(iso: string): string {
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? escapeText(iso) : slackDate(at);
}

/** A person as a mention when their email maps to a Slack user (`mentions` by email), else their name. */
function person(who: OnCallPerson, mentions: Record<string, string>): string {
  const slackId = who.email ? mentions[who.email.toLowerCase()] : undefined;
  const name = (slackId && mention(slackId)) || escapeText(who.name);
  const level = who.level !== undefined ? `level ${who.level}` : '';
  const until = who.when === 'now' && who.end ? `until ${providerTime(who.end)}` : who.when === 'next' && who.start ? `from ${providerTime(who.start)}` : '';
  const detail = [level, until].filter(Boolean).join(', ');
  return detail ? `${name} (${detail})` : name;
}

/** One provider's lines: now and next, or why there is nobody. */
export function providerLines(answer: OnCallProviderAnswer, mentions: Record<string, string>): string[] {
  const name = answer.link ? link(answer.link, answer.title) : escapeText(answer.title);
  if (answer.status === 'error') return [`:warning: *${name}*: ${escapeText(answer.message ?? 'failed')}`];
  const now = answer.oncall.filter((who) => who.when === 'now');
  const next = answer.oncall.filter((who) => who.when === 'next');
  const lines = [`*${name}*: ${now.length > 0 ? `on call now ${now.map((who) => person(who, mentions)).join(', ')}` : `nobody on call now${answer.message ? ` (${escapeText(answer.message)})` : ''}`}`];
  if (next.length > 0) lines.push(`\u2003next ${next.map((who) => person(who, mentions)).join(', ')}`);
  return lines;
}

/** `/oncall ENTITY`: each provider's people on call now and next, mentioned where Slack knows their email. */
export function onCallMessage(report: OnCallReport, mentions: Record<string, string> = {}): SlackMessage {
  if (!report.entity) return { text: report.reasons.join('; '), blocks: [section(escapeText(report.reasons.join('; ')))] };
  const blocks: KnownBlock[] = [section(`*On call for \`${escapeText(report.entity)}\`*`)];
  blocks.push(...linesAsSections(report.providers.flatMap((answer) => providerLines(answer, mentions))));
  for (const reason of report.reasons) blocks.push(section(escapeText(reason)));
  const now = report.providers.flatMap((answer) => answer.oncall.filter((who) => who.when === 'now').map((who) => who.name));
  return fitMessage({ text: now.length > 0 ? `On call for ${report.entity}: ${now.join(', ')}` : `${report.entity}: ${report.reasons.join('; ') || 'nobody on call'}`, blocks });
}
