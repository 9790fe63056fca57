import type { FactCollector } from '../fact-collector.js';
import { entityFacts } from './entity-facts.js';
import { githubFacts } from './github-facts.js';
import { kubernetesFacts } from './kubernetes-facts.js';
import { oncallFacts } from './oncall-facts.js';

/** The fact collectors Callboard ships; a new one is a file in this folder, listed here. */
export const BUILT_IN_COLLECTORS: FactCollector[] = [entityFacts, githubFacts, kubernetesFacts, oncallFacts];
