// @ts-check
// The bench's world, written straight into the persisted D1 through Miniflare: one organization; two
// readers, each a space developer in 10 spaces of 10 apps, over 1k and over 100k READY bits packages;
// a writer with the apps the create and upload endpoints write to. Packages go in as generated
// multi-row INSERTs (no bound parameters), several statements per batch.
import { randomBytes, randomUUID } from "node:crypto";

const ROWS_PER_STATEMENT = 250;
const STATEMENTS_PER_BATCH = 20;

/** @typedef {import("./server.mjs").D1} D1 */

/**
 * Random hex strings cut from one buffer: a randomBytes call per checksum costs more than the inserts.
 * @param {number} total bytes needed over all calls
 */
function hexSource(total) {
  const pool = randomBytes(total).toString("hex");
  let offset = 0;
  return (/** @type {number} */ bytes) => {
    offset += 2 * bytes;
    return pool.slice(offset - 2 * bytes, offset);
  };
}

/** @param {(string | number | null)[]} values */
const tuple = (values) =>
  `(${values.map((v) => (v === null ? "NULL" : typeof v === "number" ? v : `'${v}'`)).join(", ")})`;

/**
 * Runs generated INSERTs of `rows` into `table`, ROWS_PER_STATEMENT rows a statement.
 * @param {D1} db
 * @param {string} table
 * @param {string[]} columns
 * @param {(string | number | null)[][]} rows
 */
async function insertRows(db, table, columns, rows) {
  const statements = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
    const values = rows.slice(i, i + ROWS_PER_STATEMENT).map(tuple);
    statements.push(db.prepare(`INSERT INTO ${table} (${columns.join(", ")}) VALUES ${values.join(", ")}`));
  }
  for (let i = 0; i < statements.length; i += STATEMENTS_PER_BATCH) {
    await db.batch(statements.slice(i, i + STATEMENTS_PER_BATCH));
  }
}

/**
 * @param {D1} db
 * @param {{ smallCount: number, largeCount: number, uploadTargets: number }} sizes
 */
export async function seedWorld(db, sizes) {
  const now = Math.floor(Date.now() / 1000);
  const org = randomUUID();
  const users = { small: "bench-reader-1k", large: "bench-reader-100k", writer: "bench-writer" };
  /** @type {(string | number | null)[][]} */
  const spaceRows = [];
  /** @type {(string | number | null)[][]} */
  const appRows = [];
  /** @type {(string | number | null)[][]} */
  const roleRows = [];
  /** @type {Record<"small" | "large", string[]>} */
  const appsOf = { small: [], large: [] };

  /**
   * @param {string} name
   * @param {string} user
   */
  const addSpace = (name, user) => {
    const guid = randomUUID();
    spaceRows.push([guid, name, org, now, now]);
    roleRows.push([randomUUID(), "space_developer", user, guid, now, now]);
    return guid;
  };
  /**
   * @param {string} space
   * @param {string} name
   * @param {"buildpack" | "docker"} lifecycle
   */
  const addApp = (space, name, lifecycle = "buildpack") => {
    const guid = randomUUID();
    appRows.push([guid, name, space, lifecycle, now, now]);
    return guid;
  };
  for (const set of /** @type {const} */ (["small", "large"])) {
    for (let s = 0; s < 10; s++) {
      const space = addSpace(`${set}-space-${s}`, users[set]);
      for (let a = 0; a < 10; a++) appsOf[set].push(addApp(space, `${set}-app-${s}-${a}`));
    }
  }
  const writes = addSpace("writes", users.writer);
  const apps = {
    create: addApp(writes, "create-target"),
    seed: addApp(writes, "seed-target", "docker"),
    upload: addApp(writes, "upload-target"),
    floor: addApp(writes, "floor-insert-target"),
  };

  await db.batch([
    db.prepare(
      `INSERT INTO organizations (guid, name, status, created_at, updated_at) VALUES ('${org}', 'bench-org', 'active', ${now}, ${now})`,
    ),
    db.prepare(
      `INSERT INTO users (guid, created_at) VALUES ${Object.values(users)
        .map((u) => tuple([u, now]))
        .join(", ")}`,
    ),
  ]);
  await insertRows(
    db,
    "spaces",
    ["guid", "name", "organization_guid", "created_at", "updated_at"],
    spaceRows,
  );
  await insertRows(
    db,
    "apps",
    ["guid", "name", "space_guid", "lifecycle_type", "created_at", "updated_at"],
    appRows,
  );
  await insertRows(
    db,
    "roles",
    ["guid", "type", "user_guid", "space_guid", "created_at", "updated_at"],
    roleRows,
  );

  const ready = [
    "guid",
    "type",
    "state",
    "app_guid",
    "sha1",
    "sha256",
    "bits_size",
    "created_at",
    "updated_at",
  ];
  // Both readers' packages interleaved in creation order, as a shared deployment would have them: the
  // 1k reader's packages are spread thinly through the large set, not stored together.
  const total = sizes.smallCount + sizes.largeCount;
  const every = Math.floor(total / sizes.smallCount);
  const hex = hexSource(52 * total);
  /** @type {(string | number)[][]} */
  const rows = [];
  /** @type {string[]} */
  const largeGuids = [];
  for (let i = 0, small = 0, large = 0; i < total; i++) {
    const isSmall = small < sizes.smallCount && (i % every === every - 1 || large >= sizes.largeCount);
    const app = isSmall
      ? appsOf.small[small++ % appsOf.small.length]
      : appsOf.large[large++ % appsOf.large.length];
    const guid = randomUUID();
    if (!isSmall) largeGuids.push(guid);
    const at = now - total + i;
    rows.push([guid, "bits", "READY", app ?? "", hex(20), hex(32), 1_048_576, at, at]);
  }
  await insertRows(db, "packages", ready, rows);

  const uploadGuids = Array.from({ length: sizes.uploadTargets }, () => randomUUID());
  await insertRows(
    db,
    "packages",
    ["guid", "type", "state", "app_guid", "created_at", "updated_at"],
    uploadGuids.map((guid) => [guid, "bits", "AWAITING_UPLOAD", apps.upload, now, now]),
  );

  // The package every show reads: one in the middle of the large set, with its primary key.
  const showGuid = largeGuids[Math.floor(largeGuids.length / 2)] ?? "";
  const shown = await db.prepare(`SELECT id FROM packages WHERE guid = '${showGuid}'`).first();
  return { users, apps, uploadGuids, show: { guid: showGuid, id: Number(shown?.id) } };
}
