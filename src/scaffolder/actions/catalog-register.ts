import { fileURLToPath } from 'node:url';
import { ActionError, type ScaffolderAction } from './action.js';

/** What catalog:register needs of the catalog: reading a location now and keeping it (the catalog service). */
export interface CatalogRegistrar {
  register(location: { type: 'file' | 'url'; target: string }, registeredBy?: string): Promise<{ entityRefs: string[]; problems: { message: string }[] }>;
}

/** The entity a registration stands for: a Component not named generated-*, as Backstage prefers, else the first. */
function preferredRef(refs: string[]): string {
  return refs.find((ref) => ref.startsWith('component:') && !ref.split('/').at(-1)!.startsWith('generated-')) ?? refs[0]!;
}

function locationOf(url: string): { type: 'file' | 'url'; target: string } {
  if (url.startsWith('file:')) return { type: 'file', target: fileURLToPath(url) };
  if (/^https?:\/\//.test(url)) return { type: 'url', target: url };
  throw new ActionError(`${url} is neither a file: nor an https: URL`);
}

/**
 * Backstage's catalog:register: the new descriptor is read into the catalog at once (its entities
 * answer /whoowns as soon as the step ends) and its location kept for every later refresh. A
 * location holding no entity is not registered, and fails the step unless `optional`.
 */
export function catalogRegister(catalog: CatalogRegistrar): ScaffolderAction {
  return {
    id: 'catalog:register',
    description: 'Registers a catalog-info.yaml in the catalog, which reads it at once',
    supportsDryRun: false,
    inputSchema: {
      type: 'object',
      properties: {
        catalogInfoUrl: { type: 'string' },
        repoContentsUrl: { type: 'string' },
        catalogInfoPath: { type: 'string' },
        optional: { type: 'boolean' },
      },
    },
    async handler({ input, log, output, requestedBy }) {
      const { catalogInfoUrl, repoContentsUrl, catalogInfoPath } = input as Record<string, string | undefined>;
      const url = catalogInfoUrl ?? (repoContentsUrl ? `${repoContentsUrl.replace(/\/+$/, '')}/${(catalogInfoPath ?? '/catalog-info.yaml').replace(/^\/+/, '')}` : undefined);
      if (!url) throw new ActionError('give catalogInfoUrl, or repoContentsUrl (with catalogInfoPath, default /catalog-info.yaml)');
      const { entityRefs, problems } = await catalog.register(locationOf(url), requestedBy);
      if (entityRefs.length === 0) {
        const why = problems.length > 0 ? `: ${problems.map((problem) => problem.message).join('; ')}` : '';
        if (input.optional === true) {
          log(`${url} holds no entity; nothing was registered${why}`);
          return;
        }
        throw new ActionError(`${url} holds no entity the catalog could read, so nothing was registered${why}`);
      }
      for (const problem of problems) log(`problem: ${problem.message}`);
      log(`registered ${url}: ${entityRefs.join(', ')}`);
      output('entityRef', preferredRef(entityRefs));
      output('catalogInfoUrl', url);
    },
  };
}
