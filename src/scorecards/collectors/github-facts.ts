import { ANNOTATIONS, annotationOf, sourceLocationOf, type Entity } from '../../catalog/model/entity.js';
import { parseGitHubUrl } from '../../github/github-client.js';
import type { FactCollector } from '../fact-collector.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const CODEOWNERS = new Set(['CODEOWNERS', '.github/CODEOWNERS', 'docs/CODEOWNERS']);

/** The entity's repository: `github.com/project-slug` (on its source's host), else its source location on GitHub. */
export function repositoryOf(entity: Entity): { host: string; owner: string; repo: string } | undefined {
  const source = sourceLocationOf(entity) ?? annotationOf(entity, ANNOTATIONS.managedByLocation)?.replace(/^url:/, '');
  const fromSource = source ? parseGitHubUrl(source) : undefined;
  const slug = annotationOf(entity, ANNOTATIONS.projectSlug)?.trim().match(/^([\w.-]+)\/([\w.-]+)$/);
  if (slug) return { host: fromSource?.host ?? 'github.com', owner: slug[1]!, repo: slug[2]! };
  return fromSource && { host: fromSource.host, owner: fromSource.owner, repo: fromSource.repo };
}

/**
 * Facts about the entity's GitHub repository, through Octokit: a few calls per repository (its
 * settings, the default branch, the top of its tree). Unknown, with the reason, for an entity
 * without a repository on GitHub, a host without a token, or a repository that is gone.
 */
export const githubFacts: FactCollector = {
  id: 'github',
  cost: 'remote',
  maxAgeMs: 6 * 60 * 60 * 1000,
  facts: {
    hasReadme: { type: 'boolean', description: 'a README at the root of the repository' },
    hasCodeowners: { type: 'boolean', description: 'a CODEOWNERS file (root, .github/ or docs/)' },
    hasCiWorkflow: { type: 'boolean', description: 'a GitHub Actions workflow in .github/workflows' },
    branchProtected: { type: 'boolean', description: 'the default branch is protected' },
    hasLicense: { type: 'boolean', description: 'GitHub detects a license' },
    daysSinceLastCommit: { type: 'integer', description: 'whole days since the last commit on the default branch' },
    repositoryArchived: { type: 'boolean', description: 'the repository is archived' },
  },
  async collect(_ref, entity, { github, now }) {
    const repository = repositoryOf(entity);
    if (!repository) throw new Error('no GitHub repository: add the github.com/project-slug annotation');
    const client = github?.(repository.host);
    if (!client) throw new Error(`GitHub is not configured for ${repository.host}: set GITHUB_TOKEN or a token under integrations.github`);
    const health = await client.repositoryHealth({ owner: repository.owner, repo: repository.repo });
    return {
      hasReadme: health.files.some((file) => /^readme(\.[a-z0-9]+)?$/i.test(file)),
      hasCodeowners: health.files.some((file) => CODEOWNERS.has(file)),
      hasCiWorkflow: health.files.some((file) => /^\.github\/workflows\/[^/]+\.ya?ml$/.test(file)),
      branchProtected: health.branchProtected,
      hasLicense: health.license !== null,
      ...(health.lastCommitAt ? { daysSinceLastCommit: Math.floor((now.getTime() - Date.parse(health.lastCommitAt)) / DAY_MS) } : {}),
      repositoryArchived: health.archived,
    };
  },
};
