import nextVitals from "eslint-config-next/core-web-vitals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "node_modules/**",
      ".next/**",
      "src/generated/**",
      "test-results/**",
      "playwright-report/**",
      "next-env.d.ts",
      "helm/**",
      "src/server/charts/conformance-data/**",
    ],
  },
  ...nextVitals,
  // Type-aware: the checker's types catch floating promises, promises passed where a
  // callback returns nothing, and `any` leaking out of a library.
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      // Async methods that only satisfy a Promise-returning interface (drivers, stores,
      // the OIDC provider's hooks) need no await; a missing one shows as a floating promise.
      "@typescript-eslint/require-await": "off",
    },
  },
  // Plain JavaScript files (config, CI helpers) have no type information to check against.
  { files: ["**/*.{js,mjs,cjs}"], ...tseslint.configs.disableTypeChecked },
  {
    // The chart renderer works on Go values: converting one to a string the way Go's fmt
    // does is the point (goFunc has already converted declared string parameters).
    files: ["src/server/charts/**/*.ts"],
    rules: { "@typescript-eslint/no-base-to-string": "off" },
  },
  {
    // Vitest's asymmetric matchers (expect.any, objectContaining) are typed `any`.
    files: ["**/*.test.ts", "**/*.test.tsx", "src/reliability/**", "e2e/**"],
    rules: {
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/unbound-method": "off",
    },
  },
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "no-console": ["error", { allow: ["warn", "error"] }],
      "@next/next/no-html-link-for-pages": "off",
    },
  },
  {
    // Domain core stays free of React and UI code.
    files: ["src/server/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: ["react", "react-dom", "@mui/*", "@/components/*", "@/app/*", "next/navigation"] },
      ],
    },
  },
  // ---- Import boundaries between the browser, the pages and the server (issue 11) ----
  // Kept apart from the other rule blocks on purpose: these only say who may import whom.
  {
    // Pages and the browser's tRPC client reach the server through tRPC: from `src/server` (or
    // any other alias) they import types only. Values come from the shared vocabulary
    // (`@/common`), tRPC (`@/trpc`) and the components. The exceptions are the server's own
    // doors: route handlers (`src/app/api/**`) and `src/trpc/server.ts`.
    files: ["src/app/**/*.{ts,tsx}", "src/trpc/**/*.{ts,tsx}"],
    ignores: ["src/app/api/**", "src/trpc/server.ts"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "^@/(?!(common|trpc|components)(/|$))",
              allowTypeImports: true,
              message:
                "Only types from here: values come from @/common, @/trpc or @/components (server data through tRPC; pages use @/trpc/server).",
            },
            {
              regex: "^(\\.\\./)+server(/|$)",
              allowTypeImports: true,
              message: "Only types from src/server: pages use @/trpc/server, components tRPC.",
            },
          ],
        },
      ],
    },
  },
  {
    // Components: the same, and the server-only `@/trpc/server` is for pages (components are
    // rendered in the browser too).
    files: ["src/components/**/*.{ts,tsx}"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "^@/(?!(common|trpc|components)(/|$))",
              allowTypeImports: true,
              message:
                "Only types from here: values come from @/common, @/trpc or @/components (server data through tRPC).",
            },
            {
              regex: "^(\\.\\./)+server(/|$)",
              allowTypeImports: true,
              message: "Only types from src/server: components get server data through tRPC.",
            },
          ],
          paths: [
            {
              name: "@/trpc/server",
              message:
                "Server components only: pages prefetch with it and pass data down; components use useTRPC().",
            },
          ],
        },
      ],
    },
  },
  {
    // The shared vocabulary is pure: it imports nothing from the server, not even types. Its
    // tests may cross-check it against the server's schemas.
    files: ["src/common/**/*.ts"],
    ignores: ["src/common/**/*.test.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { regex: "^@/server(/|$)", message: "src/common imports nothing from src/server." },
            { regex: "^(\\.\\./)+server(/|$)", message: "src/common imports nothing from src/server." },
          ],
        },
      ],
    },
  },
  // ---- end of import boundaries ----
  {
    files: ["bench/**", "workers/**", "prisma/**", ".ci/**", "e2e/**", "src/reliability/**"],
    rules: { "no-console": "off" },
  },
);
