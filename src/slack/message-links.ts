/** A shortcut answers this many links at most: one section each stays well inside Block Kit's 50 blocks. */
export const MAX_LINKS = 25;

export interface MessageLinks {
  /** The message's http(s) URLs in the order they appear, each once, at most MAX_LINKS. */
  urls: string[];
  /** How many more the message held. */
  leftOut: number;
}

/**
 * Every http(s) URL in a Slack message as a message shortcut delivers it: `<url|label>` and `<url>`
 * in its text and in the mrkdwn of its blocks, link elements of its rich text, and the `from_url`
 * and `title_link` of its attachments. The payload is Slack's, so each part is checked before use.
 */
export function messageLinks(message: unknown): MessageLinks {
  const found = new Set<string>();
  const add = (url: unknown) => {
    if (typeof url === 'string' && /^https?:\/\//i.test(url.trim())) found.add(url.trim());
  };
  const record = asRecord(message);
  if (typeof record.text === 'string') for (const url of linksInMrkdwn(record.text)) add(url);
  walkBlocks(record.blocks, add);
  for (const attachment of Array.isArray(record.attachments) ? record.attachments : []) {
    const { from_url: fromUrl, title_link: titleLink, blocks } = asRecord(attachment);
    add(fromUrl);
    add(titleLink);
    walkBlocks(blocks, add);
  }
  const urls = [...found];
  return { urls: urls.slice(0, MAX_LINKS), leftOut: Math.max(0, urls.length - MAX_LINKS) };
}

/** The targets of `<…>` tokens in Slack's mrkdwn, unescaped; mentions and channels (`<@U1>`, `<#C1|x>`) fall to the caller's http(s) check. */
function linksInMrkdwn(text: string): string[] {
  return [...text.matchAll(/<([^<>|]+)(?:\|[^<>]*)?>/g)].map((token) => unescapeMrkdwn(token[1]!));
}

function unescapeMrkdwn(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** Rich text `link` elements and mrkdwn text objects anywhere in the blocks. */
function walkBlocks(value: unknown, add: (url: unknown) => void, depth = 0): void {
  // Block Kit nests a few levels (rich_text > list > section > link); anything deeper is not a message.
  if (depth > 16) return;
  if (Array.isArray(value)) {
    for (const item of value) walkBlocks(item, add, depth + 1);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const record = value as Record<string, unknown>;
  if (record.type === 'link') add(record.url);
  if (record.type === 'mrkdwn' && typeof record.text === 'string') for (const url of linksInMrkdwn(record.text)) add(url);
  for (const child of Object.values(record)) if (typeof child === 'object') walkBlocks(child, add, depth + 1);
}

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
