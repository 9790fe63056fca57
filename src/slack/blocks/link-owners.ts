import type { KnownBlock } from '@slack/types';
import type { LinkMatch, LinkOwnership } from '../../catalog/answers/link-owners.js';
import { ANNOTATIONS } from '../../catalog/model/entity.js';
import { nameOfRef } from '../../catalog/model/entity-ref.js';
import { section } from './block-parts.js';
import { fitMessage, truncateText, type SlackMessage } from './limits.js';
import { escapeText, link } from './mrkdwn.js';

/** Long URLs are shown shortened; the link itself still goes to the whole URL. */
const URL_LABEL_CHARS = 80;
const ALSO_MATCHED_NAMED = 3;
const UNFURL_DESCRIPTION_CHARS = 200;

/** The answer to "who owns these links?": each link with its entity and owner, then the links the catalog does not know. */
export function linkOwnersMessage(answers: LinkOwnership[], leftOut: number): SlackMessage {
  if (answers.length === 0) {
    const text = 'That message has no links to look up.';
    return { text, blocks: [section(text)] };
  }
  const known = answers.filter((answer): answer is LinkOwnership & { match: LinkMatch } => answer.match !== null);
  const unknown = answers.filter((answer) => answer.match === null);
  const headline =
    known.length > 0 ? `${known.length} of ${plural(answers.length, 'link')} ${known.length === 1 ? 'is' : 'are'} in the catalog` : answers.length === 1 ? 'The link is not in the catalog' : `None of the ${answers.length} links is in the catalog`;
  const blocks: KnownBlock[] = [section(`*Who owns these links* · ${headline}`)];
  for (const { url, match } of known) blocks.push(section([urlLink(url), entityLine(match), `Matched by ${escapeText(match.why)}${alsoMatchedText(match)}`].join('\n')));
  if (unknown.length > 0) blocks.push(section(`*Not in the catalog*\n${unknown.map(({ url }) => `• ${urlLink(url)}`).join('\n')}`));
  if (leftOut > 0) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `${plural(leftOut, 'more link')} in the message ${leftOut === 1 ? 'was' : 'were'} not looked up.` }] });
  return fitMessage({ text: headline, blocks });
}

/** A compact ownership card for a link to the entity's own catalog page, as `chat.unfurl` takes it. */
export function catalogPageUnfurl(match: LinkMatch): { blocks: KnownBlock[] } {
  const { entity } = match;
  const blocks: KnownBlock[] = [section(entityLine(match))];
  if (entity.description) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: escapeText(truncateText(oneLine(entity.description), UNFURL_DESCRIPTION_CHARS)) }] });
  return { blocks: fitMessage({ text: entity.title, blocks }).blocks };
}

/** "*Payments API* · component · owned by *Payments Team* · #payments". */
function entityLine({ entity, owner }: LinkMatch): string {
  const parts = [`*${escapeText(oneLine(entity.title))}*`, escapeText(entity.kind.toLowerCase())];
  if (owner) {
    parts.push(`owned by *${escapeText(owner.displayName)}*${owner.exists ? '' : ' (not in the catalog)'}`);
    const channel = Object.hasOwn(owner.contacts, ANNOTATIONS.slackChannel) ? owner.contacts[ANNOTATIONS.slackChannel] : undefined;
    if (channel) parts.push(escapeText(channel));
  } else if (entity.kind !== 'Group' && entity.kind !== 'User') {
    parts.push('no owner declared');
  }
  return parts.join(' · ');
}

function alsoMatchedText({ alsoMatched }: LinkMatch): string {
  if (alsoMatched.length === 0) return '';
  const named = alsoMatched.slice(0, ALSO_MATCHED_NAMED).map((ref) => escapeText(nameOfRef(ref)));
  const more = alsoMatched.length > ALSO_MATCHED_NAMED ? ` and ${alsoMatched.length - ALSO_MATCHED_NAMED} more` : '';
  return `; also claimed by ${named.join(', ')}${more}`;
}

/** The link, labelled by its host and path; `link` renders anything but http(s) as inert text. */
function urlLink(url: string): string {
  return link(url, truncateText(url.replace(/^https?:\/\//i, ''), URL_LABEL_CHARS));
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
