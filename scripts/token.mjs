// Prints a fresh UAA-style token for local development, signed HS256 with the local-development secret.
//   npm run -s token -- --user uaa-id-370 --scopes cloud_controller.read,cloud_controller.write
//   npm run -s token -- --admin
import { parseArgs } from "node:util";
import { SignJWT } from "jose";

const { values } = parseArgs({
  options: {
    user: { type: "string", default: "uaa-id-370" },
    scopes: { type: "string", default: "cloud_controller.read,cloud_controller.write" },
    admin: { type: "boolean", default: false },
    "expires-in": { type: "string", default: "3600" },
    secret: { type: "string", default: "tokensecret" },
  },
});

const scope = values.admin ? ["cloud_controller.admin"] : values.scopes.split(",").filter(Boolean);
const user = values.admin && values.user === "uaa-id-370" ? "admin" : values.user;
const token = await new SignJWT({
  user_id: user,
  email: `${user}@example.com`,
  scope,
  aud: ["cloud_controller"],
  exp: Math.floor(Date.now() / 1000) + Number(values["expires-in"]),
})
  .setProtectedHeader({ typ: "JWT", alg: "HS256" })
  .sign(new TextEncoder().encode(values.secret));
console.log(token);
