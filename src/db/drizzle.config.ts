import { defineConfig } from 'drizzle-kit';

// Run from the repository root (npm run db:generate); migrations go to the top-level drizzle/ folder.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema.ts',
  out: './drizzle',
  strict: true,
});
