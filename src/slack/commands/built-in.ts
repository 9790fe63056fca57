import { createServiceCommand } from './create-service.js';
import { docsCommand } from './docs.js';
import { findCommand } from './find.js';
import { healthCommand } from './health.js';
import { oncallCommand } from './oncall.js';
import { scorecardCommand } from './scorecard.js';
import type { SlashCommand } from './registry.js';
import { whoOwnsCommand } from './whoowns.js';

/** The slash commands Callboard ships; Slack and the local console both answer these. */
export const BUILT_IN_COMMANDS: SlashCommand[] = [whoOwnsCommand, findCommand, docsCommand, healthCommand, oncallCommand, scorecardCommand, createServiceCommand];
