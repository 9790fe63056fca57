import { PGlite } from '@electric-sql/pglite';
let t = performance.now();
const db = await PGlite.create('/tmp/pgl100k');
console.log('open', performance.now() - t);
t = performance.now(); const r = await db.query(`select ref, name, entity->'metadata'->>'title' as title, entity::text as json from catalog_entities`); console.log('rows', performance.now() - t, r.rows.length);
t = performance.now(); const r2 = await db.query(`select string_agg(ref || E'\\t' || name || E'\\t' || coalesce(entity->'metadata'->>'title', '') || E'\\t' || entity::text, E'\\n') as all from catalog_entities`); const text = (r2.rows[0] as any).all as string; const lines = text.split('\n'); console.log('agg', performance.now() - t, lines.length);
t = performance.now(); const r3 = await db.query(`select source_ref, type, target_ref from catalog_relations`); console.log('rel rows', performance.now() - t, r3.rows.length);
t = performance.now(); const r4 = await db.query(`select string_agg(source_ref || E'\\t' || type || E'\\t' || target_ref, E'\\n') as all from catalog_relations`); console.log('rel agg', performance.now() - t, ((r4.rows[0] as any).all as string).length);
await db.close();
