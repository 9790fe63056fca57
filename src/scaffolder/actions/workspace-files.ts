import { lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isInside } from '../../catalog/ingestion/local-files.js';
import type { TemplateBase } from '../template-definition.js';
import { ActionError } from './action.js';

/** A skeleton, or a workspace to publish, larger than these is refused before anything is written. */
export const SKELETON_LIMITS = { files: 2_000, bytes: 20 * 1024 * 1024 };

export interface SkeletonFile {
  /** Relative to the skeleton folder, with `/` separators. */
  path: string;
  content: Buffer;
  mode: number;
}

/** A fetch action's `url` as the relative path it must be, wherever the template was read from. */
export function relativeSkeletonUrl(url: unknown): string {
  if (typeof url !== 'string' || url === '') throw new ActionError('url names no skeleton: give a folder relative to the template, such as ./skeleton');
  if (/^[a-z][a-z0-9+.-]*:/i.test(url)) throw new ActionError(`url ${url}: only a folder relative to the template is read here, such as ./skeleton`);
  if (path.isAbsolute(url) || url.startsWith('/')) throw new ActionError(`url ${url} is an absolute path; give a folder relative to the template`);
  return url;
}

/** The folder a fetch action's `url` names, inside the template's own folder. */
export function skeletonFolder(url: unknown, base: Extract<TemplateBase, { type: 'folder' }>): string {
  const folder = path.resolve(base.folder, relativeSkeletonUrl(url));
  if (!isInside(base.folder, folder)) throw new ActionError(`url ${url} leaves the template's folder; refused`);
  // The folder itself may be a link: where it really is must be inside the template's folder too.
  let real: string;
  try {
    real = realpathSync(folder);
  } catch {
    throw new ActionError(`the skeleton folder ${folder} does not exist`);
  }
  if (!isInside(realpathSync(base.folder), real)) throw new ActionError(`url ${url} is a link out of the template's folder (to ${real}); refused`);
  return folder;
}

/**
 * Every file under a skeleton folder, read into memory. A symbolic link is followed only when it
 * points inside the skeleton; one that points outside it, or a skeleton past the limits, is
 * refused before anything is written.
 */
export function readSkeleton(folder: string, what = 'the skeleton', limits = SKELETON_LIMITS): SkeletonFile[] {
  let real: string;
  try {
    real = realpathSync(folder);
    if (!statSync(real).isDirectory()) throw new Error('not a folder');
  } catch {
    throw new ActionError(`${what} folder ${folder} does not exist`);
  }
  const files: SkeletonFile[] = [];
  let bytes = 0;
  // A link to a folder above it would make the walk endless.
  const visited = new Set<string>();
  const visit = (current: string, relative: string) => {
    if (visited.has(current)) throw new ActionError(`${relative || 'the top'} in ${what} leads back to a folder already read (a link loop); refused`);
    visited.add(current);
    for (const entry of readdirSync(current, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = path.join(current, entry.name);
      const name = relative ? `${relative}/${entry.name}` : entry.name;
      if (isGitFolder(entry.name)) throw new ActionError(`${what} holds ${name}: a .git folder would configure the repository (its hooks run); refused`);
      let target = full;
      if (lstatSync(full).isSymbolicLink()) {
        target = realpathSync(full);
        if (!isInside(real, target)) throw new ActionError(`${name} in ${what} is a link to ${target}, outside it; refused`);
      }
      const stat = statSync(target);
      if (stat.isDirectory()) {
        visit(target, name);
        continue;
      }
      if (!stat.isFile()) continue;
      bytes += stat.size;
      if (files.length + 1 > limits.files) throw new ActionError(`${what} holds more than ${limits.files} files; refused`);
      if (bytes > limits.bytes) throw new ActionError(`${what} holds more than ${limits.bytes} bytes; refused`);
      files.push({ path: name, content: readFileSync(target), mode: stat.mode & 0o777 });
    }
  };
  visit(real, '');
  return files;
}

/** A .git folder, however spelt (Windows and macOS file systems ignore case). */
function isGitFolder(name: string): boolean {
  return name.toLowerCase() === '.git';
}

/** The folder under the workspace a `targetPath` names; one that leaves the workspace is refused. */
export function targetFolder(workspace: string, targetPath: unknown): string {
  const relative = typeof targetPath === 'string' && targetPath !== '' ? targetPath : '.';
  if (path.isAbsolute(relative)) throw new ActionError(`targetPath ${relative} is an absolute path; give one inside the workspace`);
  const folder = path.resolve(workspace, relative);
  if (!isInside(workspace, folder)) throw new ActionError(`targetPath ${relative} leaves the workspace; refused`);
  return folder;
}

/** The files under a folder (a run's workspace), as sorted paths relative to it. */
export function workspaceFiles(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(folder, path.join(entry.parentPath, entry.name)))
    .sort();
}

/**
 * Checks every file's path first, then writes them all: a path that is absolute or climbs out of
 * `folder` (as written, or once rendered) stops the step before anything is written.
 */
export function writeFiles(folder: string, files: SkeletonFile[]): string[] {
  const targets = files.map((file) => {
    if (file.path.split(/[\\/]/).some(isGitFolder)) throw new ActionError(`the file name "${file.path}" is inside a .git folder; nothing was written`);
    if (file.path === '' || path.isAbsolute(file.path) || file.path.split(/[\\/]/).some((part) => part === '..' || part === '')) {
      throw new ActionError(`the file name "${file.path}" is empty, absolute or climbs out of the target folder; nothing was written`);
    }
    const target = path.resolve(folder, file.path);
    if (!isInside(folder, target)) throw new ActionError(`the file name "${file.path}" leaves the target folder; nothing was written`);
    return target;
  });
  files.forEach((file, index) => {
    mkdirSync(path.dirname(targets[index]!), { recursive: true });
    writeFileSync(targets[index]!, file.content, { mode: file.mode });
  });
  return targets;
}
