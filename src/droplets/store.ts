// SQL for a package's droplets: the package with the caller's access to it, a page of its droplets and
// their total, in one batch (one D1 round trip). Droplets carry their app's lifecycle type, which is
// what CC records on a droplet when it stages it.
import { and, count, eq, type SQL } from "drizzle-orm";
import type { Db } from "../db/client";
import { inList, pageOf } from "../db/lists";
import { apps, droplets } from "../db/schema";
import type { User } from "../http/auth";
import type { Paging } from "../http/pagination";
import { metadataColumns } from "../metadata/store";
import {
  type PackageListFilters,
  type Page,
  resourceConditions,
  spaceConditions,
} from "../packages/list-store";
import { type PackageAccess, packageAccessQuery } from "../packages/store";

export type DropletListFilters = Omit<PackageListFilters, "types">;

export type DropletView = typeof droplets.$inferSelect & {
  lifecycleType: (typeof apps.$inferSelect)["lifecycleType"];
  labels: Record<string, string | null>;
  annotations: Record<string, string | null>;
};

function conditionsOf(packageGuid: string, filters: DropletListFilters): SQL[] {
  return [
    eq(droplets.packageGuid, packageGuid),
    filters.appGuids && inList(droplets.appGuid, filters.appGuids),
    filters.states && inList(droplets.state, filters.states),
    ...spaceConditions(apps.spaceGuid, filters),
    ...resourceConditions(droplets, filters),
  ].filter((condition) => condition !== undefined);
}

/** A package with the caller's access to it, and a page of its droplets (undefined package: none such). */
export async function listPackageDroplets(
  db: Db,
  user: User,
  packageGuid: string,
  filters: DropletListFilters,
  paging: Paging,
): Promise<{ package: Pick<PackageAccess, "readable"> | undefined; page: Page<DropletView> }> {
  const where = and(...conditionsOf(packageGuid, filters));
  const { orderBy, limit, offset } = pageOf(
    paging,
    { created_at: droplets.createdAt, updated_at: droplets.updatedAt },
    droplets.id,
  );
  const [packageRows, rows, totals] = await db.batch([
    packageAccessQuery(db, user, packageGuid),
    db
      .select({ droplet: droplets, lifecycleType: apps.lifecycleType, ...metadataColumns(droplets.guid) })
      .from(droplets)
      .innerJoin(apps, eq(apps.guid, droplets.appGuid))
      .where(where)
      .orderBy(...orderBy)
      .limit(limit)
      .offset(offset),
    db
      .select({ total: count() })
      .from(droplets)
      .innerJoin(apps, eq(apps.guid, droplets.appGuid))
      .where(where),
  ]);
  return {
    package: packageRows[0],
    page: {
      total: totals[0]?.total ?? 0,
      resources: rows.map(({ droplet, ...rest }) => ({ ...droplet, ...rest })),
    },
  };
}
