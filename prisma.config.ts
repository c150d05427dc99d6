import { defineConfig } from "prisma/config";

// DATABASE_URL is read lazily with a local default: `prisma generate` needs no
// database, and Prisma 7 does not load .env files itself (STACK.md gotcha 2).
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: {
    url: process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/nemo",
  },
});
