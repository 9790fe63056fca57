import type { CatalogView } from '../catalog/answers/catalog-view.js';
import type { Entity } from '../catalog/model/entity.js';
import type { CatalogProblem } from '../catalog/processing/catalog-problem.js';
import type { GitHubClient } from '../github/github-client.js';
import type { HealthService } from '../kubernetes/health-service.js';
import type { OnCallService } from '../oncall/oncall-service.js';

/** Tech Insights' fact types. */
export type FactType = 'integer' | 'float' | 'string' | 'boolean' | 'datetime' | 'set' | 'object';

/** What a collector may read while it collects. */
export interface FactContext {
  view: CatalogView;
  /** The problems found in an entity's own YAML by the last refresh. */
  problemsOf(ref: string): CatalogProblem[];
  now: Date;
  /** GitHub per host, where a token is configured for it. */
  github?: (host: string) => GitHubClient | undefined;
  /** Kubernetes health, where clusters are configured. */
  health?: HealthService;
  /** Who is on call, from the registered on-call providers. */
  oncall?: OnCallService;
  /** Abandoned collections (a run stopped) end their calls. */
  signal?: AbortSignal;
}

/**
 * A source of facts about entities. `collect` answers the facts it knows for one entity; a fact
 * it leaves out is unknown for that entity (its checks neither pass nor fail), and a collector
 * that throws makes all its facts unknown for that entity, with the error as the reason.
 */
export interface FactCollector {
  id: string;
  /** Every fact it can give, with its type and what it means. */
  facts: Record<string, { type: FactType; description: string }>;
  /** `cheap` collectors read only the catalog: they run for every entity on every evaluation, unbatched. */
  cost: 'cheap' | 'remote';
  /** How long a remote collector's facts are reused before it is asked again. */
  maxAgeMs?: number;
  collect(ref: string, entity: Entity, context: FactContext): Record<string, unknown> | Promise<Record<string, unknown>>;
}

