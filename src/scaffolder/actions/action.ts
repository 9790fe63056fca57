import type { TemplateBase } from '../template-definition.js';
import type { RunNotifier } from './notification-send.js';

/** What a step's action gets: its rendered input, the run's workspace, and where to report. */
export interface ActionContext {
  input: Record<string, unknown>;
  /** The run's working folder: fetch actions write into it, publish actions read it. */
  workspace: string;
  /** Where the template's relative paths (`./skeleton`) are read from. */
  templateBase: TemplateBase;
  log(message: string): void;
  output(name: string, value: unknown): void;
  /** The catalog ref of the person running the template, when known. */
  requestedBy?: string;
  /** A dry run: only actions that write nothing beyond the workspace run (see `supportsDryRun`). */
  dryRun: boolean;
  signal: AbortSignal;
  /** Where notification:send delivers: the surface that started the run (Slack), or nowhere. */
  notifier: RunNotifier;
}

/**
 * One scaffolder action (`fetch:template`, `publish:github`...). Its input is checked against
 * `inputSchema` before `handler` runs; a handler throws to fail its step, with a message for the
 * person who ran the template.
 */
export interface ScaffolderAction {
  id: string;
  description: string;
  inputSchema: Record<string, unknown>;
  /** Whether a dry run runs it: true for actions that write nothing beyond the workspace. */
  supportsDryRun: boolean;
  handler(context: ActionContext): Promise<void>;
}

/** An action failed for a reason the template or its values can fix: the message is shown as it is. */
export class ActionError extends Error {}
