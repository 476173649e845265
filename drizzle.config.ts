import { defineConfig } from 'drizzle-kit';

// Generation only: migrations are applied in code by src/store/migrate.ts on both drivers.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/store/schema/index.ts',
  out: './drizzle',
  casing: 'snake_case',
});
