import type { KnownBlock } from '@slack/types';
import type { EntitySummary, OnCallAnswer, OwnerAnswer, WhoOwnsAnswer } from '../../catalog/answers/who-owns.js';
import { ANNOTATIONS } from '../../catalog/model/entity.js';
import { nameOfRef } from '../../catalog/model/entity-ref.js';
import { ACTIONS } from './action-ids.js';
import { actions, button, section } from './block-parts.js';
import { fitMessage, truncateText, type SlackMessage } from './limits.js';
import { escapeText, link, mention } from './mrkdwn.js';

export interface OwnershipCardOptions {
  /** Catalog user ref → Slack user id, for members who should be mentioned rather than named. */
  mentions?: Record<string, string>;
  /** Posted to the channel already: no Share button. */
  shared?: boolean;
  /** The entity has docs: a Docs button shows them. */
  docs?: boolean;
  /** The entity has Kubernetes annotations: a Health button asks its clusters. */
  health?: boolean;
  /** A scorecard applies to the entity: a Scorecard button shows its checks. */
  scorecard?: boolean;
  /** Blocks the card's sections (plugins', on-call) gave in time, shown above the buttons. */
  sections?: KnownBlock[];
}

/** Listing every entity a large team owns would crowd out the rest of the card. */
const MAX_OWNED_LISTED = 20;
const DESCRIPTION_CHARS = 1000;

/** The answer to "who owns X?" as a message. */
export function ownershipCard(answer: WhoOwnsAnswer, options: OwnershipCardOptions = {}): SlackMessage {
  const { match } = answer;
  if (!match) return noMatchCard(answer);
  const mentions = options.mentions ?? {};
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: oneLine(match.title) || match.name } },
    section([kindLine(match.kind, match.type, match.lifecycle), match.description ? escapeText(truncateText(match.description, DESCRIPTION_CHARS)) : ''].filter(Boolean).join('\n')),
  ];
  if (answer.owner) blocks.push(section(ownerText(answer.owner, answer.onCall, mentions)));
  const placement = [labelled('System', answer.system && refName(answer.system)), labelled('Domain', answer.domain && refName(answer.domain))].filter(Boolean);
  if (placement.length > 0) blocks.push(section(placement.join(' · ')));
  if (answer.owns) blocks.push(section(ownedText(answer.owns)));
  if (answer.memberOf) blocks.push(section(labelled('Member of', answer.memberOf.map(refName).join(', ') || 'no groups')));
  const links = [...(answer.source ? [link(answer.source, 'Repository')] : []), ...answer.links.map((entry) => link(entry.url, entry.title))];
  if (links.length > 0) blocks.push(section(`*Links:* ${links.join(' · ')}`));
  for (const warning of answer.warnings) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `⚠️ ${escapeText(warning)}` }] });
  blocks.push(...(options.sections ?? []));
  if (!options.shared) blocks.push(actions([button('Share in channel', ACTIONS.share, answer.query), ...(options.docs && answer.match ? [button('Docs', ACTIONS.docs, answer.match.ref)] : []), ...(options.health && answer.match ? [button('Health', ACTIONS.health, answer.match.ref)] : []), ...(options.scorecard && answer.match ? [button('Scorecard', ACTIONS.scorecard, answer.match.ref)] : [])]));
  return fitMessage({ text: escapeText(oneLine(summary(match, answer))), blocks });
}

function noMatchCard(answer: WhoOwnsAnswer): SlackMessage {
  const text = answer.query ? `No entity named ${answer.query}` : 'Name an entity to look up';
  const blocks: KnownBlock[] = [section(answer.query ? `No entity named *${escapeText(oneLine(answer.query))}*.` : 'Name an entity to look up, such as `payments-api`.')];
  if (answer.suggestions.length > 0) {
    const labels = suggestionLabels(answer.suggestions);
    blocks.push(section('Did you mean:'));
    blocks.push(actions(answer.suggestions.map((ref, index) => button(labels[index]!, `${ACTIONS.suggestion}:${index}`, ref))));
  }
  return fitMessage({ text: escapeText(oneLine(text)), blocks });
}

/** Names alone, unless two suggestions share a name; then their kinds tell them apart. */
function suggestionLabels(refs: string[]): string[] {
  const names = refs.map(nameOfRef);
  return refs.map((ref, index) => (names.indexOf(names[index]!) !== names.lastIndexOf(names[index]!) ? `${names[index]} (${ref.slice(0, ref.indexOf(':'))})` : names[index]!));
}

function kindLine(kind: string, type: string | null, lifecycle: string | null): string {
  return [`*${escapeText(kind)}*`, type && escapeText(type), lifecycle && escapeText(lifecycle)].filter(Boolean).join(' · ');
}

function ownerText(owner: OwnerAnswer, onCall: OnCallAnswer[], mentions: Record<string, string>): string {
  const ownerName = owner.individual ? person(owner.ref, mentions, owner.displayName) : escapeText(owner.displayName);
  const lines = [`*Owner:* ${ownerName}${owner.email ? ` (${escapeText(owner.email)})` : ''}${owner.parent ? `, part of ${refName(owner.parent)}` : ''}`];
  if (owner.kind === 'Group' && owner.people.length > 0) lines.push(labelled('Members', owner.people.map(({ ref, displayName }) => person(ref, mentions, displayName)).join(', ')));
  const channel = Object.hasOwn(owner.contacts, ANNOTATIONS.slackChannel) ? owner.contacts[ANNOTATIONS.slackChannel] : undefined;
  if (channel) lines.push(labelled('Slack', escapeText(channel)));
  if (onCall.length > 0) lines.push(labelled('On call', onCall.map(onCallText).join(', ')));
  return lines.join('\n');
}

function onCallText({ provider, label, url }: OnCallAnswer): string {
  const name = `${provider} ${provider === 'PagerDuty' ? 'service' : 'team'} ${label}`;
  return url ? link(url, name) : escapeText(name);
}

/** A mention when the catalog user maps to a Slack id, which notifies them; otherwise their name as text. */
function person(ref: string, mentions: Record<string, string>, name: string): string {
  const slackId = Object.hasOwn(mentions, ref) ? mentions[ref] : undefined;
  return (slackId && mention(slackId)) || escapeText(name);
}

function ownedText(owns: string[]): string {
  if (owns.length === 0) return '*Owns:* nothing in the catalog';
  const listed = owns.slice(0, MAX_OWNED_LISTED).map(refName).join(', ');
  const more = owns.length > MAX_OWNED_LISTED ? ` and ${owns.length - MAX_OWNED_LISTED} more` : '';
  return labelled(`Owns ${owns.length}`, `${listed}${more}`);
}

function summary({ name }: EntitySummary, answer: WhoOwnsAnswer): string {
  if (answer.owner) return `${name} is owned by ${answer.owner.displayName}`;
  if (answer.owns) return `${name} owns ${answer.owns.length} ${answer.owns.length === 1 ? 'entity' : 'entities'}`;
  return `${name} has no declared owner`;
}

/** `text` is mrkdwn, escaped by the caller; empty text makes an empty line the caller filters out. */
function labelled(label: string, text: string | null): string {
  return text ? `*${label}:* ${text}` : '';
}

/** The name part of `kind:namespace/name`, escaped: what people call the entity. */
function refName(ref: string): string {
  return escapeText(nameOfRef(ref));
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
