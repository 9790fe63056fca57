import { ExternalServiceError } from '../../errors.js';
import type { BranchProtection, GitHubPublisher, PublishedRepository } from '../../github/github-client.js';
import { ActionError, type ActionContext, type ScaffolderAction } from './action.js';
import { filesToPublish, repositoryOf } from './publish-workspace.js';

const boolean = { type: 'boolean' } as const;
const string = { type: 'string' } as const;

function flag(input: Record<string, unknown>, name: string, fallback: boolean): boolean {
  return typeof input[name] === 'boolean' ? (input[name] as boolean) : fallback;
}

function protectionOf(input: Record<string, unknown>): BranchProtection {
  return {
    requiredApprovingReviewCount: typeof input.requiredApprovingReviewCount === 'number' ? input.requiredApprovingReviewCount : 1,
    requireCodeOwnerReviews: flag(input, 'requireCodeOwnerReviews', false),
    dismissStaleReviews: flag(input, 'dismissStaleReviews', false),
    requireLastPushApproval: flag(input, 'requireLastPushApproval', false),
    enforceAdmins: flag(input, 'protectEnforceAdmins', true),
    requiredStatusCheckContexts: Array.isArray(input.requiredStatusCheckContexts) ? (input.requiredStatusCheckContexts as string[]) : [],
    requireBranchesToBeUpToDate: flag(input, 'requireBranchesToBeUpToDate', true),
    requiredConversationResolution: flag(input, 'requiredConversationResolution', false),
    requiredLinearHistory: flag(input, 'requiredLinearHistory', false),
  };
}

/**
 * Creates the repository. When GitHub made it but its answer was lost (a 502), the client
 * recognises it as ours and the step goes on with it; a 422 (someone else's, or made meanwhile)
 * is the usual "exists already".
 */
async function createOrResume(github: GitHubPublisher, owner: string, name: string, input: Record<string, unknown>, log: ActionContext['log']): Promise<PublishedRepository> {
  log(`creating ${owner}/${name}`);
  let created;
  try {
    created = await github.createRepository(owner, name, {
      description: typeof input.description === 'string' ? input.description : undefined,
      homepage: typeof input.homepage === 'string' ? input.homepage : undefined,
      visibility: input.repoVisibility === 'public' || input.repoVisibility === 'internal' ? input.repoVisibility : 'private',
      hasIssues: flag(input, 'hasIssues', true),
      hasWiki: flag(input, 'hasWiki', true),
      hasProjects: flag(input, 'hasProjects', true),
      deleteBranchOnMerge: flag(input, 'deleteBranchOnMerge', false),
      allowMergeCommit: flag(input, 'allowMergeCommit', true),
      allowSquashMerge: flag(input, 'allowSquashMerge', true),
      allowRebaseMerge: flag(input, 'allowRebaseMerge', true),
      allowAutoMerge: flag(input, 'allowAutoMerge', false),
    });
  } catch (error) {
    if (error instanceof ExternalServiceError && error.status === 422) throw new ActionError(`the repository ${owner}/${name} exists already (created meanwhile); pick another name`);
    throw error;
  }
  if (created.answerLost) log(`GitHub had created ${owner}/${name} on an attempt whose answer was lost; going on with it`);
  return created.repository;
}

/**
 * Backstage's publish:github: a new repository (in an organisation or for the token's user) with
 * the workspace as its one commit on the default branch, its topics, its team or collaborators,
 * and branch protection. The workspace's YAML is checked and an existing repository refused
 * before anything is written to GitHub.
 */
export function publishGitHub(github: (host: string) => GitHubPublisher | undefined, local?: { action: ScaffolderAction; publishesTo: (host: string) => boolean }): ScaffolderAction {
  return {
    id: 'publish:github',
    description: 'Creates a GitHub repository with the workspace as its first commit',
    supportsDryRun: false,
    inputSchema: {
      type: 'object',
      required: ['repoUrl'],
      properties: {
        repoUrl: { type: 'string', description: 'github.com?owner=o&repo=r, as RepoUrlPicker gives it' },
        description: string,
        homepage: string,
        repoVisibility: { enum: ['private', 'internal', 'public'] },
        defaultBranch: string,
        topics: { type: 'array', items: string },
        access: { type: 'string', description: 'org/team or user given admin' },
        collaborators: { type: 'array', items: { type: 'object', properties: { user: string, team: string, access: string } } },
        sourcePath: string,
        gitCommitMessage: string,
        gitAuthorName: string,
        gitAuthorEmail: string,
        protectDefaultBranch: boolean,
        protectEnforceAdmins: boolean,
        requireCodeOwnerReviews: boolean,
        dismissStaleReviews: boolean,
        requiredApprovingReviewCount: { type: 'integer', minimum: 0 },
        requiredStatusCheckContexts: { type: 'array', items: string },
        requireBranchesToBeUpToDate: boolean,
        requiredConversationResolution: boolean,
        requireLastPushApproval: boolean,
        requiredLinearHistory: boolean,
        hasIssues: boolean,
        hasWiki: boolean,
        hasProjects: boolean,
        deleteBranchOnMerge: boolean,
        allowMergeCommit: boolean,
        allowSquashMerge: boolean,
        allowRebaseMerge: boolean,
        allowAutoMerge: boolean,
      },
    },
    async handler(context) {
      const { input, workspace, log, output } = context;
      const { host, account, repo } = repositoryOf(input.repoUrl);
      if (local?.publishesTo(host)) {
        log(`publishing locally rather than to ${host} (callboard.scaffolder.publisher; auto does so without a token for ${host})`);
        return local.action.handler(context);
      }
      // Its requests stop with the run (its time up, or cancelled), so nothing is published after.
      const client = github(host)?.abortingOn(context.signal);
      if (!client) throw new ActionError(`no GitHub integration is configured for ${host}; add it under integrations.github (host, apiBaseUrl, token)`);
      const files = filesToPublish(workspace, input.sourcePath);
      if (await client.findRepository(account, repo)) throw new ActionError(`the repository ${account}/${repo} exists already on ${host}; pick another name`);
      const branch = typeof input.defaultBranch === 'string' && input.defaultBranch ? input.defaultBranch : 'master';
      const repository = await createOrResume(client, account, repo, input, log);
      try {
        const commitHash = await client.commitFiles(repository, branch, {
          message: typeof input.gitCommitMessage === 'string' ? input.gitCommitMessage : 'initial commit',
          author: { name: typeof input.gitAuthorName === 'string' ? input.gitAuthorName : 'Scaffolder', email: typeof input.gitAuthorEmail === 'string' ? input.gitAuthorEmail : 'scaffolder@callboard.invalid' },
          files,
        });
        log(`committed ${files.length} file(s) to ${branch} (${commitHash.slice(0, 12)})`);
        if (Array.isArray(input.topics) && input.topics.length > 0) await client.setTopics(account, repo, input.topics as string[]);
        if (typeof input.access === 'string') await client.grantAccess(account, repo, input.access.includes('/') ? { team: input.access } : { user: input.access }, 'admin');
        for (const collaborator of (input.collaborators ?? []) as { user?: string; team?: string; access?: string }[]) {
          await client.grantAccess(account, repo, collaborator, collaborator.access ?? 'push');
        }
        if (flag(input, 'protectDefaultBranch', true)) await protect(client, account, repo, branch, protectionOf(input), log);
        output('remoteUrl', repository.cloneUrl);
        output('repoContentsUrl', `${repository.htmlUrl}/blob/${branch}`);
        output('commitHash', commitHash);
      } catch (error) {
        throw new ActionError(`${(error as Error).message} (${repository.htmlUrl} was created; delete it, or run the template again with another name)`);
      }
    },
  };
}

/** Branch protection needs a paid plan on private repositories: GitHub's refusal is logged, not fatal, as in Backstage. */
async function protect(client: GitHubPublisher, owner: string, repo: string, branch: string, protection: BranchProtection, log: ActionContext['log']): Promise<void> {
  try {
    await client.protectBranch(owner, repo, branch, protection);
    log(`protected ${branch}`);
  } catch (error) {
    if (!(error instanceof ExternalServiceError) || error.status !== 403) throw error;
    log(`warning: ${branch} was not protected: ${error.message}`);
  }
}
