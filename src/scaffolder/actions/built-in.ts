import type { ScaffolderAction } from './action.js';
import { debugLog } from './debug-log.js';
import { fetchPlain, fetchTemplate } from './fetch-template.js';

/** The actions Callboard ships; an action is one file, listed here. */
export const BUILT_IN_ACTIONS: readonly ScaffolderAction[] = [fetchTemplate, fetchPlain, debugLog];
