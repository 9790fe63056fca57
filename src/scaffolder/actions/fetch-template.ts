import picomatch from 'picomatch';
import { renderSkeletonText } from '../skeleton-text.js';
import { ActionError, type ScaffolderAction } from './action.js';
import type { SkeletonSource } from './skeleton-source.js';
import { targetFolder, writeFiles, type SkeletonFile } from './workspace-files.js';

const UTF8 = new TextDecoder('utf-8', { fatal: true });

function globs(value: unknown, field: string): (file: string) => boolean {
  if (value === undefined) return () => false;
  if (!Array.isArray(value) || !value.every((glob) => typeof glob === 'string')) throw new ActionError(`${field} takes a list of glob patterns`);
  const matchers = value.map((glob) => picomatch(glob.replace(/^\.\//, ''), { dot: true }));
  return (file) => matchers.some((matches) => matches(file));
}

/**
 * Backstage's fetch:template: the skeleton folder rendered into the workspace with `values`.
 * Paths are rendered too; `copyWithoutTemplating` files keep their contents, `copyWithoutRender`
 * files their contents and paths; with `templateFileExtension`, only files with that extension are
 * rendered (and lose it). A file that is not UTF-8 text is copied as it is.
 */
export function fetchTemplate(skeletons: SkeletonSource): ScaffolderAction {
  return {
    id: 'fetch:template',
    description: 'Renders a skeleton folder of the template into the workspace, with values',
    supportsDryRun: true,
    inputSchema: {
      type: 'object',
      required: ['url'],
      properties: {
        url: { type: 'string', description: 'The skeleton folder, relative to the template (./skeleton)' },
        targetPath: { type: 'string', description: 'Where in the workspace to write, default the workspace itself' },
        values: { type: 'object', description: 'What the skeleton reads as values.*' },
        copyWithoutRender: { type: 'array', items: { type: 'string' } },
        copyWithoutTemplating: { type: 'array', items: { type: 'string' } },
        templateFileExtension: { type: ['string', 'boolean'] },
        cookiecutterCompat: { type: 'boolean' },
      },
    },
    async handler({ input, workspace, templateBase, log }) {
      if (input.cookiecutterCompat === true) throw new ActionError('cookiecutterCompat is not supported: write the skeleton with ${{ values.x }} placeholders');
      const { files, where } = await skeletons.read(input.url, templateBase);
      const scope = { values: (input.values ?? {}) as Record<string, unknown> };
      const verbatim = globs(input.copyWithoutRender, 'copyWithoutRender');
      const contentsVerbatim = globs(input.copyWithoutTemplating, 'copyWithoutTemplating');
      const extension = input.templateFileExtension === true ? '.njk' : typeof input.templateFileExtension === 'string' ? input.templateFileExtension : undefined;
      const rendered = files.map((file): SkeletonFile => {
        if (verbatim(file.path)) return file;
        const renderPath = (name: string) => renderSkeletonText(name, scope, `${file.path} (its name)`);
        const templated = extension ? file.path.endsWith(extension) : !contentsVerbatim(file.path);
        const name = renderPath(extension && templated ? file.path.slice(0, -extension.length) : file.path);
        if (!templated) return { ...file, path: name };
        let text: string;
        try {
          text = UTF8.decode(file.content);
        } catch {
          return { ...file, path: name };
        }
        return { ...file, path: name, content: Buffer.from(renderSkeletonText(text, scope, file.path, { yaml: /\.ya?ml$/i.test(name) })) };
      });
      const written = writeFiles(targetFolder(workspace, input.targetPath), rendered);
      log(`rendered ${written.length} file(s) from ${where}`);
    },
  };
}

/** Backstage's fetch:plain: the folder copied into the workspace as it is. */
export function fetchPlain(skeletons: SkeletonSource): ScaffolderAction {
  return {
    id: 'fetch:plain',
    description: 'Copies a folder of the template into the workspace as it is',
    supportsDryRun: true,
    inputSchema: {
      type: 'object',
      required: ['url'],
      properties: { url: { type: 'string' }, targetPath: { type: 'string' } },
    },
    async handler({ input, workspace, templateBase, log }) {
      const { files, where } = await skeletons.read(input.url, templateBase, 'the folder');
      const written = writeFiles(targetFolder(workspace, input.targetPath), files);
      log(`copied ${written.length} file(s) from ${where}`);
    },
  };
}
