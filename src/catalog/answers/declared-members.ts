import { normalizeEntityRef } from '../model/entity-ref.js';
import type { CatalogView } from './catalog-view.js';

/**
 * Who a group's own files say is in it: the users it lists (`spec.members`) and those of the
 * groups it lists as children, recursively. A User entity declaring `memberOf` cannot make itself
 * a member this way: this is who may act for the group (approve a run, set its checks aside) and
 * who hears for it.
 */
export function declaredMembersOf(view: CatalogView, groupRef: string): Set<string> {
  const members = new Set<string>();
  const seen = new Set<string>();
  const pending = [groupRef];
  while (pending.length > 0) {
    const ref = pending.pop()!;
    if (seen.has(ref)) continue;
    seen.add(ref);
    const group = view.get(ref);
    if (group?.kind !== 'Group') continue;
    const namespace = group.metadata.namespace ?? 'default';
    const refsOf = (value: unknown, defaultKind: string) =>
      (Array.isArray(value) ? value : []).flatMap((item) => {
        try {
          return typeof item === 'string' ? [normalizeEntityRef(item, { defaultKind, defaultNamespace: namespace })] : [];
        } catch {
          return [];
        }
      });
    for (const member of refsOf(group.spec?.members, 'user')) members.add(member);
    pending.push(...refsOf(group.spec?.children, 'group'));
  }
  return members;
}
