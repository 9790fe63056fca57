import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ScaffolderAction } from './action.js';

/** Backstage's debug:log: a message in the step's log, and optionally what the workspace holds. */
export const debugLog: ScaffolderAction = {
  id: 'debug:log',
  description: "Writes a message, and optionally the workspace's files, to the step's log",
  supportsDryRun: true,
  inputSchema: {
    type: 'object',
    properties: {
      message: { type: 'string' },
      listWorkspace: { enum: [true, false, 'with-filenames', 'with-contents'] },
    },
  },
  async handler({ input, workspace, log }) {
    if (typeof input.message === 'string') log(input.message);
    if (!input.listWorkspace) return;
    for (const entry of readdirSync(workspace, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const full = path.join(entry.parentPath, entry.name);
      const relative = path.relative(workspace, full);
      log(input.listWorkspace === 'with-contents' ? `${relative}:\n${readFileSync(full, 'utf8')}` : relative);
    }
  },
};
