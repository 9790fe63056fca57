import { execFile } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { ActionError, type ScaffolderAction } from './action.js';
import { filesToPublish, repositoryOf } from './publish-workspace.js';
import { writeFiles } from './workspace-files.js';

const run = promisify(execFile);
const SAFE_NAME = /^(?!\.{1,2}$)[A-Za-z0-9_.-]+$/;

/**
 * publish:local, the embedded publisher (the console, tests, trying a template out): takes
 * publish:github's inputs and creates `<folder>/<owner>/<repo>` as a real git repository with one
 * commit of the workspace, with the outputs publish:github gives. The workspace's YAML must parse
 * and its entities validate (see assertWorkspaceYaml), and a repository that exists already is
 * refused, before anything is written.
 */
export function publishLocal(folder: string): ScaffolderAction {
  return {
    id: 'publish:local',
    description: `Creates a local git repository with the workspace as its first commit, under ${folder}`,
    supportsDryRun: false,
    inputSchema: {
      type: 'object',
      required: ['repoUrl'],
      properties: {
        repoUrl: { type: 'string', description: 'host?owner=o&repo=r, as RepoUrlPicker gives it' },
        defaultBranch: { type: 'string' },
        description: { type: 'string' },
        gitCommitMessage: { type: 'string' },
        gitAuthorName: { type: 'string' },
        gitAuthorEmail: { type: 'string' },
        sourcePath: { type: 'string' },
      },
    },
    async handler({ input, workspace, log, output, signal }) {
      const { account, repo } = repositoryOf(input.repoUrl);
      for (const name of [account, repo]) if (!SAFE_NAME.test(name)) throw new ActionError(`"${name}" is not a repository or owner name (letters, digits, . _ -)`);
      const branch = typeof input.defaultBranch === 'string' && input.defaultBranch ? input.defaultBranch : 'main';
      const files = filesToPublish(workspace, input.sourcePath);
      const target = path.join(folder, account, repo);
      mkdirSync(path.dirname(target), { recursive: true });
      try {
        // Not recursive: two runs naming one repository cannot both create it.
        mkdirSync(target);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new ActionError(`the repository ${account}/${repo} exists already (${target}); pick another name`);
        throw error;
      }
      try {
        writeFiles(target, files);
        const git = (...args: string[]) => gitIn(target, args, signal);
        await git('init', '--quiet', '--initial-branch', branch);
        await git('add', '--all');
        const author = [`user.name=${typeof input.gitAuthorName === 'string' ? input.gitAuthorName : 'Callboard'}`, `user.email=${typeof input.gitAuthorEmail === 'string' ? input.gitAuthorEmail : 'callboard@localhost'}`];
        await git('-c', author[0]!, '-c', author[1]!, '-c', 'commit.gpgsign=false', '-c', 'core.hooksPath=/dev/null', 'commit', '--quiet', '--allow-empty', '-m', typeof input.gitCommitMessage === 'string' ? input.gitCommitMessage : 'initial commit');
        const commitHash = (await git('rev-parse', 'HEAD')).trim();
        const url = pathToFileURL(target).href;
        log(`created ${target} (${branch}, ${commitHash.slice(0, 12)})`);
        output('remoteUrl', url);
        output('repoContentsUrl', url);
        output('commitHash', commitHash);
      } catch (error) {
        // Nothing half made: the repository goes with the step.
        rmSync(target, { recursive: true, force: true });
        throw error;
      }
    },
  };
}

async function gitIn(folder: string, args: string[], signal: AbortSignal): Promise<string> {
  try {
    // The user's own git configuration (hooks, templates, signing) stays out of it.
    const { stdout } = await run('git', args, { cwd: folder, signal, env: { PATH: process.env.PATH ?? '', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', HOME: folder } });
    return stdout;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new ActionError('publish:local needs git on the PATH');
    throw new ActionError(`git ${args.join(' ')} failed: ${(error as { stderr?: string }).stderr?.trim() || (error as Error).message}`);
  }
}
