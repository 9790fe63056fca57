import postgres from 'postgres';
const sql = postgres('postgres://postgres@127.0.0.1:5432/cb_prof');
let t = performance.now(); const r = await sql.unsafe(`select ref, name, entity->'metadata'->>'title' as title, entity::text as json from catalog_entities`); console.log('entities', performance.now() - t, r.length);
t = performance.now(); const r2 = await sql.unsafe(`select source_ref, type, target_ref from catalog_relations`); console.log('relations', performance.now() - t, r2.length);
t = performance.now(); const r3 = await sql.unsafe(`select ref, name, entity->'metadata'->>'title' as title from catalog_entities`); console.log('no json', performance.now() - t, r3.length);
await sql.end();
