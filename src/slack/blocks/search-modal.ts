import type { KnownBlock, ModalView } from '@slack/types';
import type { FindAnswer } from '../../catalog/answers/find.js';
import { SEARCH_INPUT, VIEWS } from './action-ids.js';
import { section } from './block-parts.js';
import { resultText } from './find-results.js';
import { fitMessage } from './limits.js';
import { escapeText } from './mrkdwn.js';

/** Results a modal lists; past these, filters narrow better than scrolling. */
export const SEARCH_MODAL_RESULTS = 20;
const MODAL_BLOCKS = 100;

/** The search modal: one query box, and, once searched, the results beneath it. */
export function searchModal(query = '', answer?: FindAnswer): ModalView {
  const blocks: KnownBlock[] = [
    {
      type: 'input',
      block_id: SEARCH_INPUT.block,
      label: { type: 'plain_text', text: 'Search the catalog' },
      hint: { type: 'plain_text', text: 'Words, names or filters: kind:api owner:maps-team tag:go type:service lifecycle:production' },
      element: { type: 'plain_text_input', action_id: SEARCH_INPUT.action, ...(query ? { initial_value: query.slice(0, 3000) } : {}), placeholder: { type: 'plain_text', text: 'geocoding kind:api' } },
    },
  ];
  if (answer) {
    const shown = answer.results.length;
    const headline = answer.total === 0 ? `No results for ${escapeText(query)}` : `${answer.total} ${answer.total === 1 ? 'result' : 'results'} for ${escapeText(query)}${answer.total > shown ? `, the first ${shown}` : ''}`;
    blocks.push({ type: 'divider' }, section(`*${headline}*`), ...answer.results.map((result) => section(resultText(result))));
  }
  const fitted = fitMessage({ text: '', blocks }, { maxBlocks: MODAL_BLOCKS });
  return {
    type: 'modal',
    callback_id: VIEWS.search,
    title: { type: 'plain_text', text: 'Callboard search' },
    submit: { type: 'plain_text', text: 'Search' },
    close: { type: 'plain_text', text: 'Close' },
    blocks: fitted.blocks,
  };
}
