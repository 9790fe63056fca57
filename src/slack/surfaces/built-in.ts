import { appHome } from './app-home.js';
import { createServiceSurface } from './create-service.js';
import { linkShortcut } from './link-shortcut.js';
import { nudgesSurface } from './nudges.js';
import { questionsSurface } from './questions.js';
import { searchSurface } from './search.js';
import type { Surface } from './surface.js';

/** The surfaces beyond slash commands that Callboard ships; a new one is one file and one entry here. */
export const BUILT_IN_SURFACES: Surface[] = [linkShortcut, questionsSurface, appHome, searchSurface, createServiceSurface, nudgesSurface];
