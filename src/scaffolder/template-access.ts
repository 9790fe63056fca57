import type { CatalogView } from '../catalog/answers/catalog-view.js';
import { annotationOf, type Entity } from '../catalog/model/entity.js';
import { normalizeEntityRef } from '../catalog/model/entity-ref.js';
import type { TemplateDefinition } from './template-definition.js';

/** Who runs a template, as its steps see them (`user.ref`, `user.entity`). */
export interface RunningUser {
  ref: string;
  entity?: Entity;
}

/** The running user of a ref, with their entity when the catalog has it; undefined for nobody. */
export function runningUser(view: CatalogView, userRef: string): RunningUser;
export function runningUser(view: CatalogView, userRef: string | undefined): RunningUser | undefined;
export function runningUser(view: CatalogView, userRef: string | undefined): RunningUser | undefined {
  if (!userRef) return undefined;
  const entity = view.get(userRef);
  return entity ? { ref: userRef, entity } : { ref: userRef };
}

/** The annotation on a Template naming the groups whose members may run it: `group:default/platform, payments-team`. */
export const ALLOWED_GROUPS_ANNOTATION = 'callboard.dev/allowed-groups';

/** The annotation on a Template naming the group whose members approve each run before it starts. */
export const APPROVERS_ANNOTATION = 'callboard.dev/approvers';

/** callboard.scaffolder.approvals: the templates (names or refs, `*` for all) whose runs a group approves. */
export interface ApprovalRule {
  templates: string[];
  approvers: string;
}

/** A template the person may not run. */
export class RunRefusedError extends Error {}

/** The groups a template allows, as refs; undefined when it allows everyone. */
export function allowedGroups(template: TemplateDefinition): string[] | undefined {
  const listed = annotationOf(template.entity, ALLOWED_GROUPS_ANNOTATION);
  if (listed === undefined) return undefined;
  return listed
    .split(',')
    .map((group) => group.trim())
    .filter(Boolean)
    .map((group) => normalizeEntityRef(group, { defaultKind: 'group', defaultNamespace: template.entity.metadata.namespace ?? 'default' }));
}

/** The person's groups and every group above them (a member of a sub-team belongs to its parent too). */
export function groupsOf(view: CatalogView, userRef: string): Set<string> {
  const groups = new Set<string>();
  const pending = view.related(userRef, 'memberOf');
  while (pending.length > 0) {
    const group = pending.pop()!;
    if (groups.has(group)) continue;
    groups.add(group);
    pending.push(...view.related(group, 'childOf'));
  }
  return groups;
}

/** Whether the person may run the template: anyone, unless it names allowed groups; then their members. */
export function mayRun(template: TemplateDefinition, userRef: string, view: CatalogView): boolean {
  const allowed = allowedGroups(template);
  if (!allowed) return true;
  const groups = groupsOf(view, userRef.toLowerCase());
  return allowed.some((group) => groups.has(group));
}

/**
 * Throws RunRefusedError naming the groups when the person may not run the template; nobody
 * (no `userRef`) may run one that names groups.
 */
export function assertMayRun(template: TemplateDefinition, userRef: string | undefined, view: CatalogView): void {
  const allowed = allowedGroups(template);
  if (!allowed) return;
  if (!userRef) throw new RunRefusedError(`${template.title} may be run only by members of ${allowed.join(', ')}: run it as one of them`);
  if (!mayRun(template, userRef, view)) throw new RunRefusedError(`${template.title} may be run only by members of ${allowed.join(', ')}; ${userRef} is not one`);
}

/**
 * The group that approves the template's runs, or undefined. The platform team's config rules
 * come first: a template's own annotation cannot hand its approval to another group.
 */
export function approversOf(template: TemplateDefinition, rules: ApprovalRule[]): string | undefined {
  const rule = rules.find((candidate) => candidate.templates.some((name) => name === '*' || name.toLowerCase() === template.name.toLowerCase() || name.toLowerCase() === template.ref));
  if (rule) return normalizeEntityRef(rule.approvers, { defaultKind: 'group' });
  const annotated = annotationOf(template.entity, APPROVERS_ANNOTATION)?.trim();
  return annotated ? normalizeEntityRef(annotated, { defaultKind: 'group', defaultNamespace: template.entity.metadata.namespace ?? 'default' }) : undefined;
}

