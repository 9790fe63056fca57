import type { ScaffolderAction } from './action.js';
import { catalogRegister, type CatalogRegistrar } from './catalog-register.js';
import { debugLog } from './debug-log.js';
import { fetchPlain, fetchTemplate } from './fetch-template.js';
import { publishLocal } from './publish-local.js';

export interface BuiltInActionDeps {
  catalog: CatalogRegistrar;
  /** The folder publish:local creates repositories under. */
  localRepositories: string;
}

/** The actions Callboard ships; an action is one file, listed here. */
export function builtInActions({ catalog, localRepositories }: BuiltInActionDeps): ScaffolderAction[] {
  return [fetchTemplate, fetchPlain, debugLog, publishLocal(localRepositories), catalogRegister(catalog)];
}
