import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Each file opens its own databases; two workers keep the 2-core CI machine responsive.
    maxWorkers: 2,
    minWorkers: 1,
  },
});
