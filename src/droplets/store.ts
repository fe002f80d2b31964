// SQL for a package's droplets: the package with the caller's access to it, a page of its droplets and
// their total, in one batch (one D1 round trip). Droplets carry their app's lifecycle type, which is
// what CC records on a droplet when it stages it.
import { eq, getTableColumns } from "drizzle-orm";
import type { Db } from "../db/client";
import { inList } from "../db/conditions";
import { type Page, type Paging, pageOf, pageQueries, spaceConditions } from "../db/list-page";
import { apps, droplets } from "../db/schema";
import { metadataColumns } from "../metadata/store";
import type { PackageListFilters } from "../packages/list-store";
import { type PackageAccess, packageAccessQuery } from "../packages/store";
import type { User } from "../user";

export type DropletListFilters = Omit<PackageListFilters, "types">;

export type DropletView = typeof droplets.$inferSelect & {
  lifecycleType: (typeof apps.$inferSelect)["lifecycleType"];
  labels: Record<string, string | null>;
  annotations: Record<string, string | null>;
};

/** A package with the caller's access to it, and a page of its droplets (undefined package: none such). */
export async function listPackageDroplets(
  db: Db,
  user: User,
  packageGuid: string,
  filters: DropletListFilters,
  paging: Paging,
): Promise<{ package: Pick<PackageAccess, "readable"> | undefined; page: Page<DropletView> }> {
  const [packageRows, rows, totals] = await db.batch([
    packageAccessQuery(db, user, packageGuid),
    ...pageQueries(db, paging, {
      table: droplets,
      columns: {
        ...getTableColumns(droplets),
        lifecycleType: apps.lifecycleType,
        ...metadataColumns(droplets.guid),
      },
      join: { table: apps, on: eq(apps.guid, droplets.appGuid) },
      conditions: [
        eq(droplets.packageGuid, packageGuid),
        filters.appGuids && inList(droplets.appGuid, filters.appGuids),
        filters.states && inList(droplets.state, filters.states),
        ...spaceConditions(apps.spaceGuid, filters),
      ],
      filters,
    }),
  ]);
  return { package: packageRows[0], page: pageOf(rows, totals) };
}
