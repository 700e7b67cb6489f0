import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { $Enums, Prisma } from "../generated/prisma/client.ts";
import { createTestDatabase, type TestDatabase } from "../testing/test-database.ts";

// Proves the hand-written migrations build exactly the schema the Prisma models describe.

interface RuntimeField {
  name: string;
  kind: "scalar" | "enum" | "object";
  type: string;
  dbName?: string | null;
}
interface RuntimeModel {
  fields: RuntimeField[];
  dbName: string | null;
}

let database: TestDatabase;
let dataModel: { models: Record<string, RuntimeModel>; enums: Record<string, { values: { name: string }[] }> };

beforeAll(async () => {
  database = await createTestDatabase();
  // The generated client's data model (its DMMF, as the runtime carries it).
  dataModel = (database.db as unknown as { _runtimeDataModel: typeof dataModel })._runtimeDataModel;
});
afterAll(async () => database.drop());

const COLUMN_TYPES: Record<string, string[]> = {
  String: ["text", "uuid", "character varying"],
  Int: ["integer"],
  BigInt: ["bigint"],
  Boolean: ["boolean"],
  DateTime: ["timestamp with time zone", "timestamp without time zone", "date"],
  Json: ["jsonb"],
  Float: ["double precision"],
  Bytes: ["bytea"],
};

/** A list field (`String[]`) is a PostgreSQL array of its element type. */
const LIST_ELEMENT_TYPES: Record<string, string[]> = { String: ["_text"], Int: ["_int4"] };

/** Fields per model whose declaration matches, read from schema.prisma: the runtime model carries neither
 * nullability (`Type?`) nor lists (`Type[]`). */
function fieldsMatching(declaration: RegExp): Map<string, Set<string>> {
  const schema = fs.readFileSync(new URL("../../prisma/schema.prisma", import.meta.url), "utf8");
  const result = new Map<string, Set<string>>();
  for (const [, model, body] of schema.matchAll(/model (\w+) \{([\s\S]*?)\n\}/g)) {
    const fields = new Set<string>();
    for (const [, field] of body!.matchAll(declaration)) fields.add(field!);
    result.set(model!, fields);
  }
  return result;
}
const optionalFields = () => fieldsMatching(/^\s+(\w+)\s+\w+\?/gm);

describe("migrated schema matches the Prisma models", () => {
  it("has a table for every model and no table without a model", async () => {
    const tables = await database.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`,
    );
    const expected = Object.entries(dataModel.models).map(([name, m]) => m.dbName ?? name);
    expect(tables.map((t) => t.table_name).sort()).toEqual(expected.sort());
    expect(Object.keys(dataModel.models).sort()).toEqual(Object.values(Prisma.ModelName).sort());
  });

  it("has a column of the right type and nullability for every field, and no extra column", async () => {
    const optional = optionalFields();
    const lists = fieldsMatching(/^\s+(\w+)\s+\w+\[\]/gm);
    for (const [modelName, model] of Object.entries(dataModel.models)) {
      const columns = await database.query<{
        column_name: string;
        data_type: string;
        udt_name: string;
        is_nullable: string;
      }>(
        `SELECT column_name, data_type, udt_name, is_nullable FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1`,
        [model.dbName ?? modelName],
      );
      const byName = new Map(columns.map((c) => [c.column_name, c]));
      const scalarFields = model.fields.filter((f) => f.kind !== "object");
      expect([...byName.keys()].sort(), `columns of ${modelName}`).toEqual(
        scalarFields.map((f) => f.dbName ?? f.name).sort(),
      );
      for (const field of scalarFields) {
        const column = byName.get(field.dbName ?? field.name)!;
        const where = `${modelName}.${field.name}`;
        if (field.kind === "enum") {
          expect(column.udt_name, where).toBe(field.type);
        } else if (lists.get(modelName)!.has(field.name)) {
          expect(column.data_type, where).toBe("ARRAY");
          expect(LIST_ELEMENT_TYPES[field.type], where).toContain(column.udt_name);
        } else {
          expect(COLUMN_TYPES[field.type], where).toContain(column.data_type);
        }
        expect(column.is_nullable === "YES", `${where} nullability`).toBe(optional.get(modelName)!.has(field.name));
      }
    }
  });

  it("has every enum with exactly the model's values", async () => {
    const rows = await database.query<{ typname: string; enumlabel: string }>(
      `SELECT t.typname, e.enumlabel FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid ORDER BY t.typname, e.enumsortorder`,
    );
    const actual: Record<string, string[]> = {};
    for (const r of rows) (actual[r.typname] ??= []).push(r.enumlabel);
    const expected = Object.fromEntries(Object.entries($Enums).map(([name, values]) => [name, Object.values(values)]));
    expect(actual).toEqual(expected);
  });
});
