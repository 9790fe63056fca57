import type { Button, KnownBlock, SectionBlock } from '@slack/types';

export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

/**
 * Block Kit limits. Slack enforces them only when a message is posted (the SDK checks nothing), and a
 * rejected post is an answer the user never sees, so every message is fitted and checked here first.
 */
export const LIMITS = {
  blocks: 50,
  sectionText: 3000,
  sectionFields: 10,
  sectionFieldText: 2000,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  id: 255,
  messageText: 3000,
  /** Slack answers msg_blocks_too_long at about 13,200 characters, below its documented limits. */
  totalBlockText: 12_000,
} as const;

const ELLIPSIS = '…';
const ENTITIES = ['&amp;', '&lt;', '&gt;'];

/**
 * Shortens to at most `max` characters ending in "…". The cut moves back rather than split a
 * surrogate pair, an `&amp;`-style escape or a `<…>` token (link, mention), any of which would
 * otherwise reach Slack half-written and show as raw markup.
 */
export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - ELLIPSIS.length);
  if (end > 0 && isHighSurrogate(text.charCodeAt(end - 1))) end--;
  const ampersand = text.lastIndexOf('&', end - 1);
  if (ampersand !== -1 && ENTITIES.some((entity) => text.startsWith(entity, ampersand) && ampersand + entity.length > end)) end = ampersand;
  const open = text.lastIndexOf('<', end - 1);
  if (open !== -1) {
    const close = text.indexOf('>', open);
    if (close === -1 || close >= end) end = open;
  }
  return text.slice(0, end) + ELLIPSIS;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/**
 * A copy of the message within every limit in LIMITS. Text is shortened; what cannot be shortened
 * without changing its meaning is left out instead: a button whose value or action_id is too long
 * (a cut value would reach the listener as a different one), surplus fields, context elements and
 * actions, and blocks beyond `maxBlocks`, which end in a context line counting them.
 * `moreText` is mrkdwn written by the caller, appended to that line.
 */
export function fitMessage(message: SlackMessage, options: { maxBlocks?: number; moreText?: string } = {}): SlackMessage {
  const maxBlocks = options.maxBlocks ?? LIMITS.blocks;
  // Most messages fit already, and checking costs far less than the copy fitting starts with.
  if (messageProblems(message, maxBlocks).length === 0) return message;
  let blocks = structuredClone(message.blocks).flatMap((block) => fitBlock(block));
  if (blocks.length > maxBlocks) {
    const kept = blocks.slice(0, Math.max(0, maxBlocks - 1));
    const leftOut = blocks.length - kept.length;
    const note = `${leftOut} more ${leftOut === 1 ? 'item' : 'items'} left out.${options.moreText ? ` ${options.moreText}` : ''}`;
    blocks = [...kept, { type: 'context', elements: [{ type: 'mrkdwn', text: truncateText(note, LIMITS.sectionText) }] }];
  }
  capTotalText(blocks);
  return { text: truncateText(message.text, LIMITS.messageText), blocks };
}

/** The block within its own limits, or nothing when none of it can stay (an actions block left empty). */
function fitBlock(block: KnownBlock): KnownBlock[] {
  if (block.block_id !== undefined && block.block_id.length > LIMITS.id) delete block.block_id;
  switch (block.type) {
    case 'section':
      fitSection(block);
      return [block];
    case 'header':
      block.text.text = truncateText(block.text.text, LIMITS.headerText);
      return [block];
    case 'context':
      block.elements = block.elements.slice(0, LIMITS.contextElements);
      return [block];
    case 'actions':
      block.elements = block.elements.slice(0, LIMITS.actionsElements).filter((element) => element.type !== 'button' || fitButton(element));
      return block.elements.length > 0 ? [block] : [];
    default:
      return [block];
  }
}

function fitSection(block: SectionBlock): void {
  if (block.text) block.text.text = truncateText(block.text.text, LIMITS.sectionText);
  if (block.fields) {
    block.fields = block.fields.slice(0, LIMITS.sectionFields);
    for (const field of block.fields) field.text = truncateText(field.text, LIMITS.sectionFieldText);
  }
  if (block.accessory?.type === 'button' && !fitButton(block.accessory)) delete block.accessory;
}

/** Shortens the label; false when the button must go because its value or action_id is too long. */
function fitButton(button: Button): boolean {
  button.text.text = truncateText(button.text.text, LIMITS.buttonText);
  return (button.value ?? '').length <= LIMITS.buttonValue && (button.action_id ?? '').length <= LIMITS.id;
}

/** Every string `text` property inside the blocks: text objects, button labels, rich text runs. */
function textHolders(value: unknown, holders: { text: string }[] = []): { text: string }[] {
  if (Array.isArray(value)) {
    for (const item of value) textHolders(item, holders);
  } else if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (typeof record.text === 'string') holders.push(record as { text: string });
    for (const child of Object.values(record)) textHolders(child, holders);
  }
  return holders;
}

function totalText(blocks: KnownBlock[]): number {
  return textHolders(blocks).reduce((sum, holder) => sum + holder.text.length, 0);
}

/**
 * Brings the blocks under LIMITS.totalBlockText by shortening the longest section texts first (the
 * descriptions, which carry the least per character), then, only if that is not enough, every text.
 */
function capTotalText(blocks: KnownBlock[]): void {
  const sectionTexts = blocks.flatMap((block) => (block.type === 'section' && block.text ? [block.text] : []));
  for (const candidates of [sectionTexts, textHolders(blocks)]) {
    const excess = totalText(blocks) - LIMITS.totalBlockText;
    if (excess <= 0) return;
    shortenLongest(candidates, excess);
  }
}

/**
 * Cuts the longest texts down to one common length, the highest that removes `excess` characters,
 * so no text is shortened while a longer one is left whole. No text goes below one character ("…").
 */
function shortenLongest(holders: { text: string }[], excess: number): void {
  const longestFirst = [...holders].sort((a, b) => b.text.length - a.text.length);
  let sum = 0;
  for (let count = 1; count <= longestFirst.length; count++) {
    sum += longestFirst[count - 1]!.text.length;
    const next = longestFirst[count]?.text.length ?? 1;
    if (sum - count * next < excess && count < longestFirst.length) continue;
    const level = Math.max(1, Math.floor((sum - excess) / count));
    for (const holder of longestFirst.slice(0, count)) holder.text = truncateText(holder.text, level);
    return;
  }
}

/** Every limit the message breaks, one line each; empty when Slack will take it. */
export function messageProblems(message: SlackMessage, maxBlocks: number = LIMITS.blocks): string[] {
  const problems = [
    ...overLimit('message text length', message.text.length, LIMITS.messageText),
    ...overLimit('block count', message.blocks.length, maxBlocks),
    ...overLimit('total block text length', totalText(message.blocks), LIMITS.totalBlockText),
  ];
  const blockIds = new Set<string>();
  message.blocks.forEach((block, index) => {
    const found = blockProblems(block);
    if (block.block_id !== undefined) {
      if (blockIds.has(block.block_id)) found.push(`repeats block_id ${block.block_id}`);
      blockIds.add(block.block_id);
    }
    problems.push(...found.map((problem) => `block ${index} (${block.type}): ${problem}`));
  });
  return problems;
}

function overLimit(what: string, length: number, max: number): string[] {
  return length > max ? [`${what} is ${length}, over ${max}`] : [];
}

function blockProblems(block: KnownBlock): string[] {
  const found = block.block_id === undefined ? [] : overLimit('block_id length', block.block_id.length, LIMITS.id);
  switch (block.type) {
    case 'section':
      if (!block.text && !block.fields?.length) found.push('needs text or fields');
      if (block.text) found.push(...overLimit('text length', block.text.text.length, LIMITS.sectionText));
      if (block.fields) {
        found.push(...overLimit('field count', block.fields.length, LIMITS.sectionFields));
        block.fields.forEach((field, index) => found.push(...overLimit(`field ${index} length`, field.text.length, LIMITS.sectionFieldText)));
      }
      if (block.accessory?.type === 'button') found.push(...buttonProblems(block.accessory, 'accessory'));
      break;
    case 'header':
      found.push(...overLimit('text length', block.text.text.length, LIMITS.headerText));
      break;
    case 'context':
      found.push(...overLimit('element count', block.elements.length, LIMITS.contextElements));
      break;
    case 'actions': {
      if (block.elements.length === 0) found.push('has no elements');
      found.push(...overLimit('element count', block.elements.length, LIMITS.actionsElements));
      const actionIds = new Set<string>();
      block.elements.forEach((element, index) => {
        if (element.type === 'button') found.push(...buttonProblems(element, `button ${index}`));
        // Slack rejects a block whose elements share an action_id.
        if (element.action_id === undefined) return;
        if (actionIds.has(element.action_id)) found.push(`repeats action_id ${element.action_id}`);
        actionIds.add(element.action_id);
      });
      break;
    }
  }
  return found;
}

function buttonProblems(button: Button, name: string): string[] {
  return [
    ...overLimit(`${name} text length`, button.text.text.length, LIMITS.buttonText),
    ...overLimit(`${name} value length`, (button.value ?? '').length, LIMITS.buttonValue),
    ...overLimit(`${name} action_id length`, (button.action_id ?? '').length, LIMITS.id),
  ];
}
