import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ScaffolderAction } from './action.js';
import { workspaceFiles } from './workspace-files.js';

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
    for (const file of workspaceFiles(workspace)) {
      log(input.listWorkspace === 'with-contents' ? `${file}:\n${readFileSync(path.join(workspace, file), 'utf8')}` : file);
    }
  },
};
