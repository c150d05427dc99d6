import { readFile } from "node:fs/promises";
import path from "node:path";
import { get_dmmf } from "@prisma/prisma-schema-wasm";
import pg from "pg";
import { z } from "zod";

/**
 * Compares what the Prisma client expects (the DMMF of prisma/schema.prisma,
 * computed by Prisma's own WASM schema builder) with a migrated database's
 * catalog. Migrations are hand-written SQL here (Prisma's migration engine is a native download this machine cannot fetch), so this is
 * the guard that keeps them in step with the schema.
 */
export const SCHEMA_PATH = path.resolve(import.meta.dirname, "../../../prisma/schema.prisma");

const fieldSchema = z.object({
  name: z.string(),
  dbName: z.string().nullish(),
  kind: z.enum(["scalar", "object", "enum", "unsupported"]),
  isList: z.boolean(),
  isRequired: z.boolean(),
  hasDefaultValue: z.boolean(),
  isUpdatedAt: z.boolean(),
  type: z.string(),
  nativeType: z.tuple([z.string(), z.array(z.string())]).nullish(),
  relationFromFields: z.array(z.string()).optional(),
  relationOnDelete: z.string().optional(),
});
const dmmfSchema = z.object({
  datamodel: z.object({
    enums: z.array(
      z.object({
        name: z.string(),
        dbName: z.string().nullish(),
        values: z.array(z.object({ name: z.string() })),
      }),
    ),
    models: z.array(
      z.object({ name: z.string(), dbName: z.string().nullish(), fields: z.array(fieldSchema) }),
    ),
    indexes: z.array(
      z.object({
        model: z.string(),
        type: z.enum(["id", "unique", "normal", "fulltext"]),
        dbName: z.string().nullish(),
        fields: z.array(z.object({ name: z.string(), sortOrder: z.enum(["asc", "desc"]).nullish() })),
      }),
    ),
  }),
});
type Dmmf = z.infer<typeof dmmfSchema>;

export async function loadDmmf(schemaPath: string = SCHEMA_PATH): Promise<Dmmf> {
  const schema = await readFile(schemaPath, "utf8");
  const raw: unknown = JSON.parse(get_dmmf(JSON.stringify({ prismaSchema: [["schema.prisma", schema]] })));
  return dmmfSchema.parse(raw);
}

/** The PostgreSQL udt_name a Prisma scalar maps to (native type first). */
function expectedUdt(
  type: string,
  nativeType: readonly [string, readonly string[]] | null | undefined,
): string {
  const native = nativeType?.[0];
  const byNative: Record<string, string> = {
    Uuid: "uuid",
    Timestamptz: "timestamptz",
    Timestamp: "timestamp",
    Decimal: "numeric",
    Text: "text",
    VarChar: "varchar",
    Integer: "int4",
    BigInt: "int8",
    DoublePrecision: "float8",
    JsonB: "jsonb",
    Json: "json",
  };
  if (native && byNative[native]) return byNative[native];
  const byType: Record<string, string> = {
    String: "text",
    Int: "int4",
    BigInt: "int8",
    Float: "float8",
    Boolean: "bool",
    DateTime: "timestamp",
    Json: "jsonb",
    Bytes: "bytea",
    Decimal: "numeric",
  };
  return byType[type] ?? type;
}

interface ColumnRow {
  table_name: string;
  column_name: string;
  is_nullable: "YES" | "NO";
  udt_name: string;
  column_default: string | null;
  numeric_precision: number | null;
  numeric_scale: number | null;
  datetime_precision: number | null;
}
interface IndexRow {
  table_name: string;
  index_name: string;
  is_unique: boolean;
  is_primary: boolean;
  columns: string[];
  descending: boolean[];
}
interface ForeignKeyRow {
  table_name: string;
  columns: string[];
  on_delete: string;
}

/** Lists every disagreement between schema and database; empty means in step. */
export async function findSchemaDrift(
  databaseUrl: string,
  schemaPath: string = SCHEMA_PATH,
): Promise<string[]> {
  const dmmf = await loadDmmf(schemaPath);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const problems: string[] = [];
  try {
    const columns = (
      await client.query<ColumnRow>(
        `SELECT table_name, column_name, is_nullable, udt_name, column_default, numeric_precision, numeric_scale, datetime_precision
           FROM information_schema.columns WHERE table_schema = 'public'`,
      )
    ).rows;
    const enums = (
      await client.query<{ name: string; values: string[] }>(
        `SELECT t.typname AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS values
           FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
           JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = 'public' GROUP BY t.typname`,
      )
    ).rows;
    const indexes = (
      await client.query<IndexRow>(
        `SELECT c.relname AS table_name, i.relname AS index_name, x.indisunique AS is_unique, x.indisprimary AS is_primary,
                array(SELECT a.attname::text FROM unnest(x.indkey) WITH ORDINALITY k(attnum, ord)
                      JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum ORDER BY k.ord) AS columns,
                array(SELECT (x.indoption[k.ord - 1] & 1) = 1 FROM generate_series(1, x.indnatts) k(ord)) AS descending
           FROM pg_index x JOIN pg_class c ON c.oid = x.indrelid JOIN pg_class i ON i.oid = x.indexrelid
           JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'`,
      )
    ).rows;
    const foreignKeys = (
      await client.query<ForeignKeyRow>(
        `SELECT c.relname AS table_name,
                array(SELECT a.attname::text FROM unnest(f.conkey) WITH ORDINALITY k(attnum, ord)
                      JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum ORDER BY k.ord) AS columns,
                CASE f.confdeltype WHEN 'a' THEN 'NoAction' WHEN 'r' THEN 'Restrict' WHEN 'c' THEN 'Cascade'
                                   WHEN 'n' THEN 'SetNull' WHEN 'd' THEN 'SetDefault' END AS on_delete
           FROM pg_constraint f JOIN pg_class c ON c.oid = f.conrelid
           JOIN pg_namespace n ON n.oid = c.relnamespace WHERE f.contype = 'f' AND n.nspname = 'public'`,
      )
    ).rows;

    // 1. Enums: same type names and the same values in the same order.
    const enumByName = new Map(enums.map((e) => [e.name, e.values]));
    for (const e of dmmf.datamodel.enums) {
      const dbName = e.dbName ?? e.name;
      const values = enumByName.get(dbName);
      const expected = e.values.map((v) => v.name);
      if (!values) problems.push(`enum ${dbName} is missing`);
      else if (values.join(",") !== expected.join(","))
        problems.push(`enum ${dbName} has values [${values.join(", ")}], expected [${expected.join(", ")}]`);
    }

    // 2. Tables and columns: every scalar field, its type, nullability, default.
    const tableOf = new Map<string, string>();
    const columnOf = new Map<string, string>();
    const expectedTables = new Set<string>(["_prisma_migrations"]);
    for (const model of dmmf.datamodel.models) {
      const table = model.dbName ?? model.name;
      tableOf.set(model.name, table);
      expectedTables.add(table);
      const tableColumns = new Map(
        columns.filter((c) => c.table_name === table).map((c) => [c.column_name, c]),
      );
      if (tableColumns.size === 0) {
        problems.push(`table ${table} (model ${model.name}) is missing`);
        continue;
      }
      const expectedColumns = new Set<string>();
      for (const field of model.fields) {
        if (field.kind === "object") continue;
        const column = field.dbName ?? field.name;
        columnOf.set(`${model.name}.${field.name}`, column);
        expectedColumns.add(column);
        const row = tableColumns.get(column);
        const where = `${table}.${column} (${model.name}.${field.name})`;
        if (!row) {
          problems.push(`column ${where} is missing`);
          continue;
        }
        const base = field.kind === "enum" ? field.type : expectedUdt(field.type, field.nativeType);
        const udt = field.isList ? `_${base}` : base;
        if (row.udt_name !== udt) problems.push(`column ${where} has type ${row.udt_name}, expected ${udt}`);
        // Prisma lists are never NULL-checked; scalars must match required-ness.
        if (!field.isList && (row.is_nullable === "NO") !== field.isRequired)
          problems.push(
            `column ${where} is ${row.is_nullable === "NO" ? "NOT NULL" : "nullable"}, expected the other`,
          );
        const dbDefault = row.column_default !== null;
        // @updatedAt and uuid()/cuid() defaults are filled in by the client, not the database.
        const clientDefault =
          field.isUpdatedAt || (field.type === "String" && field.hasDefaultValue && row.udt_name === "uuid");
        if (field.hasDefaultValue && !dbDefault && !clientDefault)
          problems.push(`column ${where} lacks its default`);
        const args = field.nativeType?.[1] ?? [];
        if (field.nativeType?.[0] === "Decimal" && args.length === 2) {
          if (String(row.numeric_precision) !== args[0] || String(row.numeric_scale) !== args[1])
            problems.push(
              `column ${where} is numeric(${row.numeric_precision},${row.numeric_scale}), expected (${args.join(",")})`,
            );
        }
        if (
          field.nativeType?.[0] === "Timestamptz" &&
          args.length === 1 &&
          String(row.datetime_precision) !== args[0]
        )
          problems.push(`column ${where} has precision ${row.datetime_precision}, expected ${args[0]}`);
      }
      for (const column of tableColumns.keys()) {
        if (!expectedColumns.has(column))
          problems.push(`column ${table}.${column} is not in the Prisma schema`);
      }
    }
    for (const table of new Set(columns.map((c) => c.table_name))) {
      if (!expectedTables.has(table)) problems.push(`table ${table} is not in the Prisma schema`);
    }

    // 3. Primary keys, unique constraints and indexes, with column order and sort direction.
    for (const index of dmmf.datamodel.indexes) {
      const table = tableOf.get(index.model);
      if (!table) continue;
      const wanted = index.fields.map((f) => columnOf.get(`${index.model}.${f.name}`) ?? f.name);
      const wantedDesc = index.fields.map((f) => f.sortOrder === "desc");
      const found = indexes.find(
        (ix) =>
          ix.table_name === table &&
          ix.columns.join(",") === wanted.join(",") &&
          ix.descending.join(",") === wantedDesc.join(",") &&
          (index.type === "id" ? ix.is_primary : index.type === "unique" ? ix.is_unique : !ix.is_unique),
      );
      if (!found) problems.push(`${index.type} index on ${table}(${wanted.join(", ")}) is missing`);
    }

    // 4. Foreign keys for every relation that owns its scalar fields, with the delete rule.
    for (const model of dmmf.datamodel.models) {
      for (const field of model.fields) {
        if (field.kind !== "object" || !field.relationFromFields?.length) continue;
        const table = tableOf.get(model.name) ?? model.name;
        const cols = field.relationFromFields.map((f) => columnOf.get(`${model.name}.${f}`) ?? f);
        const fk = foreignKeys.find((k) => k.table_name === table && k.columns.join(",") === cols.join(","));
        if (!fk) problems.push(`foreign key ${table}(${cols.join(", ")}) is missing`);
        else if (field.relationOnDelete && fk.on_delete !== field.relationOnDelete)
          problems.push(
            `foreign key ${table}(${cols.join(", ")}) deletes ${fk.on_delete}, expected ${field.relationOnDelete}`,
          );
      }
    }
  } finally {
    await client.end();
  }
  return problems;
}
