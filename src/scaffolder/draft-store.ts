import { randomUUID } from 'node:crypto';
import { and, eq, lt, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { scaffolderDrafts } from '../db/schema.js';

/** A template form part filled in (see scaffolder_drafts). */
export interface Draft {
  id: string;
  filledBy: string;
  templateRef: string;
  values: Record<string, unknown>;
}

/** How long an untouched form can be continued. */
const DRAFT_HOURS = 24;

export async function createDraft(db: Db, filledBy: string, templateRef: string): Promise<Draft> {
  const draft: Draft = { id: randomUUID(), filledBy, templateRef, values: {} };
  await db.insert(scaffolderDrafts).values(draft);
  return draft;
}

/** The draft, when it is this person's and not expired. */
export async function readDraft(db: Db, id: string, filledBy: string): Promise<Draft | undefined> {
  const [row] = await db
    .select()
    .from(scaffolderDrafts)
    .where(and(eq(scaffolderDrafts.id, id), eq(scaffolderDrafts.filledBy, filledBy), sql`${scaffolderDrafts.createdAt} > now() - make_interval(hours => ${DRAFT_HOURS})`));
  return row && { id: row.id, filledBy: row.filledBy, templateRef: row.templateRef, values: row.values as Record<string, unknown> };
}

/** Saves the answers so far; the day a form lives counts from its last page. */
export async function saveDraftValues(db: Db, id: string, values: Record<string, unknown>): Promise<void> {
  await db.update(scaffolderDrafts).set({ values, createdAt: new Date() }).where(eq(scaffolderDrafts.id, id));
}

export async function deleteDraft(db: Db, id: string): Promise<void> {
  await db.delete(scaffolderDrafts).where(eq(scaffolderDrafts.id, id));
}

/** Forms abandoned for a day, with whatever secrets they held. */
export async function purgeDrafts(db: Db): Promise<void> {
  await db.delete(scaffolderDrafts).where(lt(scaffolderDrafts.createdAt, sql`now() - make_interval(hours => ${DRAFT_HOURS})`));
}
