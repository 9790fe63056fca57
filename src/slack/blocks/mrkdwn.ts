/**
 * Catalog text is data, never markup: `&`, `<` and `>` are Slack's only control characters, and
 * escaping them keeps `<!channel>`, `<@U123>` or `<url|label>` in a description from firing.
 */
export function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const LINKABLE_PROTOCOLS = new Set(['http:', 'https:']);

/**
 * A `<url|label>` link for http(s) URLs only; anything else (javascript:, data:, unparsable text)
 * comes back as inert escaped text. The URL is re-serialised by `new URL`, which already
 * percent-encodes `<`, `>` and whitespace everywhere but leaves `|`, the label separator.
 */
export function link(url: string, label?: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return escapeText(label ?? url);
  }
  if (!LINKABLE_PROTOCOLS.has(parsed.protocol)) return escapeText(label ?? url);
  const target = escapeText(parsed.href.replace(/[<>|\s]/g, encodeURIComponent));
  const shown = (label ?? '').replace(/\|/g, '').replace(/\s+/g, ' ').trim();
  return shown ? `<${target}|${escapeText(shown)}>` : `<${target}>`;
}

export function mention(userId: string): string {
  return /^[UW][A-Z0-9]{2,}$/.test(userId) ? `<@${userId}>` : '';
}

/** Text shown as inline code, escaped. */
export function code(text: string): string {
  return `\`${escapeText(text)}\``;
}

/** A time Slack shows in the reader's own time zone (`format` in Slack's date tokens), `fallback` where it cannot. */
export function slackDate(at: Date, format = '{date_short_pretty} {time}', fallback = at.toISOString()): string {
  return `<!date^${Math.floor(at.getTime() / 1000)}^${format}|${fallback}>`;
}
