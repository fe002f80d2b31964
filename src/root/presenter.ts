// CC's root documents. `GET /` keeps the links clients read to find the API and UAA (login and uaa are
// null unless configured, or the development UAA stand-in); `GET /v3` lists the v3 resources this API serves, self first as in CC.

/** The v3 API version advertised: the cf CLI's minimum supported version, so it warns about nothing. */
const API_VERSION_V3 = "3.160.0";

const link = (href: string | undefined) => (href ? { href } : null);

export function presentGlobalRoot(
  baseUrl: string,
  urls: { login: string | undefined; uaa: string | undefined },
) {
  return {
    links: {
      self: { href: baseUrl },
      cloud_controller_v3: { href: `${baseUrl}/v3`, meta: { version: API_VERSION_V3 } },
      login: link(urls.login),
      uaa: link(urls.uaa),
    },
  };
}

const V3_RESOURCES = [
  "apps",
  "audit_events",
  "droplets",
  "jobs",
  "organizations",
  "packages",
  "resource_matches",
  "roles",
  "spaces",
] as const;

export function presentV3Root(baseUrl: string) {
  const v3 = `${baseUrl}/v3`;
  const resources = Object.fromEntries(V3_RESOURCES.map((name) => [name, { href: `${v3}/${name}` }]));
  return { links: { self: { href: v3 }, ...resources } };
}
