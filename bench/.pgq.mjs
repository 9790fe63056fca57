import postgres from 'postgres';
const sql = postgres('postgres://postgres@127.0.0.1:5432/cb_prof');
for (let i = 0; i < 2; i++) {
let t = performance.now(); const r = await sql.unsafe(`select ref, name, entity->'metadata'->>'title' as title, entity::text as json from catalog_entities`); console.log('entities rows', performance.now() - t, r.length);
t = performance.now(); const r2 = await sql.unsafe(`select string_agg(json_build_array(ref, name, entity->'metadata'->'title')::text || E'\\t' || entity::text, E'\\n') as all from catalog_entities`); const lines = r2[0].all.split('\n'); console.log('entities agg', performance.now() - t, lines.length);
t = performance.now(); const r3 = await sql.unsafe(`select source_ref, type, target_ref from catalog_relations`); console.log('rel rows', performance.now() - t, r3.length);
t = performance.now(); const r4 = await sql.unsafe(`select string_agg(source_ref || E'\\t' || type || E'\\t' || target_ref, E'\\n') as all from catalog_relations`); console.log('rel agg', performance.now() - t, r4[0].all.length);
}
await sql.end();
