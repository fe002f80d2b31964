// The shape of every recursive delete job (organization → spaces → apps → packages): children go a
// round at a time, then the resource itself, with its metadata and the rows that name it, in one batch
// that only removes it once it has no children left. Every step is idempotent, so a run that is lost half
// way is simply run again and carries on.
import { and, eq, notExists } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { Db } from "../db/client";
import { annotations, type apps, labels, type organizations, type packages, type spaces } from "../db/schema";
import type { Bindings } from "../env";

/** The tables of the resources a cascade deletes, or of their children. */
type CascadeTable = typeof organizations | typeof spaces | typeof apps | typeof packages;

export interface Cascade {
  /** The resource to delete: its table and guid. */
  table: CascadeTable;
  guid: string;
  /** Its children: their table, their column naming the resource, and how many one round takes. */
  children: { table: CascadeTable; parent: SQLiteColumn; perRound: number };
  /** Deletes one round of children (never an empty one). */
  deleteChildren(guids: string[]): Promise<void>;
  /** Rows that name the resource but are not children (roles, droplets): they go in its batch. */
  dependents: BatchItem<"sqlite">[];
}

/**
 * How a cascade deletes a round of its children. The job registry (operations.ts), which alone knows
 * the tree of resources, hands each cascade its children's; no resource imports another's delete.
 */
export type DeleteRound = (env: Bindings, db: Db, guids: readonly string[]) => Promise<void>;

/** A round for children that go one at a time, each as its own delete job does. */
export const oneByOne =
  (deleteChild: (env: Bindings, db: Db, guid: string) => Promise<void>): DeleteRound =>
  async (env, db, guids) => {
    for (const guid of guids) await deleteChild(env, db, guid);
  };

/** A round of children, as read. */
type Round = { guid: string }[];

export async function runCascade(db: Db, cascade: Cascade): Promise<void> {
  const { table, guid, children } = cascade;
  const childrenLeft = () =>
    db.select({ guid: children.table.guid }).from(children.table).where(eq(children.parent, guid));
  const nextRound = () => childrenLeft().limit(children.perRound);
  let round: Round = await nextRound();
  for (;;) {
    if (round.length > 0) await cascade.deleteChildren(round.map((row) => row.guid));
    // The resource's batch also reads what is left of it and the next round: in its transaction, a child
    // created meanwhile is seen, keeps the resource, and goes in the next round.
    const results: unknown[] = await db.batch([
      db.delete(labels).where(eq(labels.resourceGuid, guid)),
      db.delete(annotations).where(eq(annotations.resourceGuid, guid)),
      ...cascade.dependents,
      db.delete(table).where(and(eq(table.guid, guid), notExists(childrenLeft()))),
      db.select({ guid: table.guid }).from(table).where(eq(table.guid, guid)),
      nextRound(),
    ]);
    const [remaining, next] = results.slice(-2) as [unknown[], Round];
    if (remaining.length === 0) return;
    // Still there with no children left: something other than children holds it.
    if (next.length === 0) throw new Error("the resource could not be deleted");
    round = next;
  }
}
