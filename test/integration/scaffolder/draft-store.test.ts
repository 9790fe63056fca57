import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { scaffolderDrafts } from '../../../src/db/schema.js';
import { createDraft, purgeDrafts, readDraft, saveDraftValues } from '../../../src/scaffolder/draft-store.js';
import { createTestDatabase, ENGINES } from '../../support/test-database.js';

describe.each(ENGINES)('template form drafts on %s', (engine) => {
  it('are continued only by whoever started them, and go once a day old', async () => {
    const database = await createTestDatabase(engine);
    try {
      const draft = await createDraft(database.db, 'U0ALICE', 'template:default/service');
      await saveDraftValues(database.db, draft.id, { name: 'ledger', token: 'hunter22' });
      expect(await readDraft(database.db, draft.id, 'U0ALICE')).toMatchObject({ templateRef: 'template:default/service', values: { name: 'ledger', token: 'hunter22' } });
      expect(await readDraft(database.db, draft.id, 'U0MALLORY')).toBeUndefined();

      const fresh = await createDraft(database.db, 'U0ALICE', 'template:default/service');
      await database.db.execute(sql`update scaffolder_drafts set created_at = now() - interval '25 hours' where id = ${draft.id}`);
      expect(await readDraft(database.db, draft.id, 'U0ALICE')).toBeUndefined();
      await purgeDrafts(database.db);
      expect(await database.db.select({ id: scaffolderDrafts.id }).from(scaffolderDrafts)).toEqual([{ id: fresh.id }]);
    } finally {
      await database.close();
    }
  });
});
