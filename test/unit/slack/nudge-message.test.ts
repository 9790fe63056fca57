import { describe, expect, it } from 'vitest';
import { FAILURES_PER_MESSAGE } from '../../../src/scorecards/nudge-planner.js';
import type { NudgeStanding } from '../../../src/scorecards/nudge-standing.js';
import { messageProblems } from '../../../src/slack/blocks/limits.js';
import { nudgeMessage, wontFixModal } from '../../../src/slack/blocks/nudge-message.js';

const longest = (letter: string, length: number) => letter.repeat(length);
/** The fullest message the planner makes: every listed check on an entity of its own, long titles and fixes. */
const fullest: NudgeStanding = {
  delivery: `2026-12-01T09:00:00.000Z group:default/${longest('t', 60)} channel:C0TEAM`,
  team: `group:default/${longest('t', 60)}`,
  individual: false,
  channel: 'C0TEAM',
  messageTs: '1.000001',
  heldBack: 7,
  entities: Array.from({ length: FAILURES_PER_MESSAGE }, (_, index) => ({
    ref: `component:default/${longest('e', 60)}-${index}`,
    checks: [{ scorecard: 'default', check: `check-${index}`, title: `${longest('T', 95)}${index}`, fix: longest('f', 1_000), since: '2026-11-20T00:00:00.000Z', regression: index % 2 === 0, status: 'fail' as const }],
  })),
};

describe('a nudge message', () => {
  it('holds every check the planner lists, at its longest, within Block Kit limits, and says what waits', () => {
    const message = nudgeMessage(fullest);
    expect(messageProblems(message)).toEqual([]);
    const text = JSON.stringify(message.blocks);
    for (const entity of fullest.entities) expect(text).toContain(entity.checks[0]!.title);
    expect(text).not.toContain('left out');
    expect(text).toContain('7 more failing checks wait for the next nudge');
  });

  it('shows each check as it stands after the buttons, with no buttons left for an entity whose checks all pass', () => {
    const passed: NudgeStanding = { ...fullest, heldBack: 0, entities: [{ ref: 'component:default/x', checks: [{ ...fullest.entities[0]!.checks[0]!, title: 'Has a README', status: 'pass' }] }] };
    const blocks = nudgeMessage(passed).blocks;
    expect(JSON.stringify(blocks)).toContain(':white_check_mark: ~Has a README~ passes now');
    const labels = blocks.flatMap((block) => (block.type === 'actions' ? block.elements.map((element) => ('text' in element && element.text ? element.text.text : '')) : []));
    expect(labels).toEqual(['Recheck now']);
  });

  it("offers at most ten checks in the won't-fix form, each label within 75 characters", () => {
    const many: NudgeStanding = { ...fullest, entities: [{ ref: 'component:default/x', checks: fullest.entities.map((entity) => entity.checks[0]!) }] };
    const modal = wontFixModal(many, 'component:default/x', '{}');
    const checkboxes = modal.blocks.find((block) => block.block_id === 'wontfix_checks') as { element: { options: { text: { text: string } }[] } };
    expect(checkboxes.element.options).toHaveLength(10);
    expect(Math.max(...checkboxes.element.options.map((option) => option.text.text.length))).toBeLessThanOrEqual(75);
  });
});
