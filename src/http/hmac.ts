// HMAC keys imported once per isolate, per secret and hash: importing a key costs more CPU than
// signing or verifying with it (token checks, download links).
// Shared with `npm run token` on Node (src/uaa-dev/tokens.ts): the key's type is what the runtime's
// importKey gives, named by neither runtime's globals.
export type HmacHash = "SHA-256" | "SHA-384" | "SHA-512";

const importHmacKey = (secret: string, hash: HmacHash) =>
  crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash }, false, [
    "sign",
    "verify",
  ]);

const keys = new Map<string, ReturnType<typeof importHmacKey>>();

export function hmacKey(secret: string, hash: HmacHash = "SHA-256") {
  const id = `${hash}:${secret}`;
  let key = keys.get(id);
  if (!key) {
    key = importHmacKey(secret, hash);
    keys.set(id, key);
  }
  return key;
}
