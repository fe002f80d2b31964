// Prints a fresh UAA access token for local development: the same claims and signature (HS256, the
// local-development secret) as the development UAA's `cf login` tokens, from the same code.
//   npm run -s token -- --user uaa-id-370 --scopes cloud_controller.read,cloud_controller.write
//   npm run -s token -- --admin
// Run through tsx (npm run token), which loads the worker's TypeScript module.
import { parseArgs } from "node:util";
import { signAccessToken } from "../src/uaa-dev/tokens.ts";
import { findUserById } from "../src/uaa-dev/users.ts";

const { values } = parseArgs({
  options: {
    user: { type: "string", default: "uaa-id-370" },
    scopes: { type: "string", default: "cloud_controller.read,cloud_controller.write" },
    admin: { type: "boolean", default: false },
    "expires-in": { type: "string", default: "3600" },
    secret: { type: "string", default: "tokensecret" },
    issuer: { type: "string", default: "http://127.0.0.1:8787/oauth/token" },
  },
});

const scopes = values.admin ? ["cloud_controller.admin"] : values.scopes.split(",").filter(Boolean);
const userId = values.admin && values.user === "uaa-id-370" ? "admin" : values.user;
// A development UAA user keeps its name and email; any other user id is its own name.
const known = findUserById(userId);
const userName = known?.userName ?? userId;
const { token } = await signAccessToken(
  { userId, userName, email: known?.email ?? `${userName}@example.com`, scopes },
  {
    secret: values.secret,
    issuer: values.issuer,
    clientId: "cf",
    validitySeconds: Number(values["expires-in"]),
  },
);
console.log(token);
