import type { KnownBlock } from '@slack/types';
import type { HealthAnswer } from '../../kubernetes/health-service.js';
import type { HealthStatus } from '../../kubernetes/workload-health.js';
import { linesAsSections, section } from './block-parts.js';
import { fitMessage, truncateText, type SlackMessage } from './limits.js';
import { escapeText } from './mrkdwn.js';

const STATUS_LINES: Record<HealthStatus, string> = {
  healthy: ':large_green_circle: healthy',
  degraded: ':large_yellow_circle: degraded',
  down: ':red_circle: down',
  unknown: ':white_circle: unknown',
};

/** Reasons shown before the per-cluster details; the rest is in `callboard health --json`. */
const REASONS_SHOWN = 10;

/**
 * `/health`'s answer: the overall status with its worst reasons, then each cluster and its
 * workloads. Pod names and messages come from the clusters: data, escaped like catalog text.
 */
export function healthMessage(answer: HealthAnswer): SlackMessage {
  const title = answer.entity ? `\`${escapeText(answer.entity)}\`` : 'That entity';
  const blocks: KnownBlock[] = [section(`*${title}* is ${STATUS_LINES[answer.status]}`)];
  const reasons = answer.reasons.slice(0, REASONS_SHOWN).map((reason) => `• ${escapeText(truncateText(reason, 500))}`);
  if (answer.reasons.length > REASONS_SHOWN) reasons.push(`…and ${answer.reasons.length - REASONS_SHOWN} more`);
  if (reasons.length > 0) blocks.push(...linesAsSections(reasons));
  const clusters = answer.clusters.map((cluster) => {
    const head = `*${escapeText(cluster.name)}*: ${cluster.status === 'ok' ? 'answered' : escapeText(cluster.status)}`;
    const workloads = cluster.workloads.map((workload) => `\u2003${escapeText(`${workload.kind} ${workload.namespace}/${workload.name}`)}: ${workload.ready}/${workload.desired} ready · ${escapeText(workload.images.join(', ') || 'no image')}`);
    const events = cluster.events.map((event) => `\u2003:warning: ${escapeText(`${event.object} ${event.reason}${event.count > 1 ? ` (×${event.count})` : ''}: ${truncateText(event.message, 300)}`)}`);
    return [head, ...workloads, ...events].join('\n');
  });
  if (clusters.length > 0) blocks.push(...linesAsSections(clusters));
  return fitMessage({ text: `${answer.entity ?? 'unknown entity'}: ${answer.status}`, blocks }, { moreText: '`callboard health --json` has everything.' });
}
