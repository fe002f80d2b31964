// What the resource routers (organizations, spaces, apps, roles) answer alike for a show: the resource,
// or 404 for one the caller cannot see.
import type { Context } from "hono";
import type { AppEnv, Variables } from "../env";
import type { User } from "../user";
import { currentUser } from "./auth";
import { notFound } from "./errors";
import { jsonResponse } from "./respond";
import { externalUrl } from "./urls";

/** How a resource's JSON is made from its row, given the external base URL for its links. */
export type Presenter<T> = (resource: T, baseUrl: string) => unknown;

/**
 * GET <path>/:guid: `find` reads the resource if the caller may see it; otherwise 404 with `resource`'s
 * name (a resource the caller cannot see is not found, as in CC).
 */
export function showResource<T>(
  resource: string,
  find: (db: Variables["db"], user: User, guid: string) => Promise<T | undefined>,
  present: Presenter<T>,
) {
  return async (c: Context<AppEnv, "/:guid">) => {
    const found = await find(c.get("db"), currentUser(c), c.req.param("guid"));
    if (!found) throw notFound(resource);
    return jsonResponse(c, 200, present(found, externalUrl(c)));
  };
}
