import type { KnownBlock } from '@slack/types';
import type { DocsAnswer } from '../../docs/docs-service.js';
import { linesAsSections, section } from './block-parts.js';
import { fitMessage, LIMITS, truncateText, type SlackMessage } from './limits.js';
import { escapeText, link } from './mrkdwn.js';

/** A link, or (for a file on the server, which Slack cannot open) its title and path as text. */
function docLink(url: string, title: string): string {
  return /^https?:/.test(url) ? link(url, title) : `${escapeText(title)} (\`${escapeText(url)}\`)`;
}

/**
 * `/docs`'s answer: for an entity, its doc links and its site's contents (indented by depth); for a
 * question, the best sections, each with its page, entity, a snippet and a link to its anchor.
 */
export function docsAnswerMessage(answer: DocsAnswer): SlackMessage {
  if (answer.entity) {
    const blocks: KnownBlock[] = [section(`*Docs for \`${escapeText(answer.entity)}\`*`)];
    if (answer.links.length > 0) blocks.push(...linesAsSections(answer.links.map((entry) => `• ${docLink(entry.url, entry.title)}`)));
    if (answer.toc.length > 0) blocks.push(section('*Contents*'), ...linesAsSections(answer.toc.map((entry) => `${'\u2003'.repeat(Math.max(0, entry.level - 1))}${docLink(entry.url, entry.title)}`)));
    if (answer.problems.length > 0) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: truncateText(answer.problems.map(escapeText).join('\n'), LIMITS.sectionText) }] });
    if (blocks.length === 1) blocks.push(section('No docs are known for it.'));
    return fitMessage({ text: `Docs for ${answer.entity}`, blocks }, { moreText: 'The rest of the contents is on the docs site.' });
  }
  if (answer.sections.length === 0) {
    const query = truncateText(answer.query, 200);
    const text = `No docs answer "${escapeText(query)}". Name a service (\`/docs payments-api\`) for its docs, or try other words.`;
    return fitMessage({ text: `No docs answer "${query}"`, blocks: [section(text)] });
  }
  const blocks: KnownBlock[] = [section(`*Docs for "${escapeText(truncateText(answer.query, 200))}"*`)];
  for (const hit of answer.sections) {
    blocks.push(section(truncateText(`${docLink(hit.url, hit.heading)} · ${escapeText(hit.page)} · \`${escapeText(hit.entity)}\`\n${escapeText(hit.snippet)}`, LIMITS.sectionText)));
  }
  return fitMessage({ text: `Docs for "${answer.query}"`, blocks });
}
