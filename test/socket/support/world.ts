// What the socket tests upload to, made through the API with an admin token: an organization and a
// space, a buildpack and a docker app, a space developer and a space auditor, and packages on demand.
import { SignJWT } from "jose";
import type { KeepAliveClient } from "./client";

export async function uaaToken(secret: string, user: string, scope: string[]): Promise<string> {
  return new SignJWT({ user_id: user, scope, aud: ["cloud_controller"] })
    .setProtectedHeader({ typ: "JWT", alg: "HS256" })
    .setExpirationTime("1h")
    .sign(new TextEncoder().encode(secret));
}

export interface SocketWorld {
  client: KeepAliveClient;
  admin: string;
  developer: string;
  auditor: string;
  appGuid: string;
  dockerAppGuid: string;
  /** A new bits package (AWAITING_UPLOAD), or a docker package. */
  newPackage: (type?: "bits" | "docker") => Promise<string>;
}

export async function createSocketWorld(client: KeepAliveClient, secret: string): Promise<SocketWorld> {
  const suffix = crypto.randomUUID();
  const write = ["cloud_controller.read", "cloud_controller.write"];
  const admin = await uaaToken(secret, "socket-admin", ["cloud_controller.admin"]);
  const post = async (path: string, body: unknown): Promise<string> => {
    const reply = await client.send({
      method: "POST",
      path,
      token: admin,
      headers: { "Content-Type": "application/json" },
      body: new TextEncoder().encode(JSON.stringify(body)),
    });
    if (reply.status !== 201) throw new Error(`POST ${path}: ${reply.status} ${reply.text}`);
    return reply.json.guid;
  };
  const to = (guid: string) => ({ data: { guid } });
  const org = await post("/v3/organizations", { name: `socket-org-${suffix}` });
  const space = await post("/v3/spaces", { name: "socket-space", relationships: { organization: to(org) } });
  const app = (name: string, lifecycle: object) =>
    post("/v3/apps", { name, relationships: { space: to(space) }, lifecycle });
  const appGuid = await app("socket-app", { type: "buildpack", data: {} });
  const dockerAppGuid = await app("socket-docker-app", { type: "docker", data: {} });
  const member = async (user: string, type: string) => {
    await post("/v3/roles", {
      type: "organization_user",
      relationships: { user: to(user), organization: to(org) },
    });
    await post("/v3/roles", { type, relationships: { user: to(user), space: to(space) } });
    return uaaToken(secret, user, write);
  };
  const developer = await member(`socket-developer-${suffix}`, "space_developer");
  const auditor = await member(`socket-auditor-${suffix}`, "space_auditor");
  const newPackage = (type: "bits" | "docker" = "bits") =>
    post("/v3/packages", {
      type,
      relationships: { app: to(type === "bits" ? appGuid : dockerAppGuid) },
      ...(type === "docker" ? { data: { image: "cloudfoundry/diego-docker-app" } } : {}),
    });
  return { client, admin, developer, auditor, appGuid, dockerAppGuid, newPackage };
}
