// HMAC keys imported once per isolate, per secret and hash: importing a key costs more CPU than
// signing or verifying with it (token checks, download links).
const keys = new Map<string, Promise<CryptoKey>>();

export type HmacHash = "SHA-256" | "SHA-384" | "SHA-512";

export function hmacKey(secret: string, hash: HmacHash = "SHA-256"): Promise<CryptoKey> {
  const id = `${hash}:${secret}`;
  let key = keys.get(id);
  if (!key) {
    key = crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash }, false, [
      "sign",
      "verify",
    ]);
    keys.set(id, key);
  }
  return key;
}
