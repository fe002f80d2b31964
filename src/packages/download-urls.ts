// Signed download links: HMAC-SHA256 (DOWNLOAD_SIGNING_KEY) over the blob's key and the moment the link
// stops working, so the link needs no Authorization header (clients must not replay the bearer token to
// the blobstore).
import { base64url } from "jose";
import { hmacKey } from "../http/hmac";
import { packageBitsKey } from "./bits-keys";

const encoder = new TextEncoder();

// What a signature covers: the blob and the moment the link stops working.
const signedText = (guid: string, expires: number) => encoder.encode(`${packageBitsKey(guid)}\n${expires}`);

/** A link to the package's zip that works without a token until `expires` (epoch seconds). */
export async function signedDownloadUrl(
  base: string,
  secret: string,
  guid: string,
  expires: number,
): Promise<string> {
  const signature = await crypto.subtle.sign("HMAC", await hmacKey(secret), signedText(guid, expires));
  return `${base}/blobs/packages/${guid}?expires=${expires}&signature=${base64url.encode(new Uint8Array(signature))}`;
}

/** Whether `signature` is this worker's for the package and `expires` given. */
export async function validSignature(
  secret: string,
  guid: string,
  expires: string,
  signature: string,
): Promise<boolean> {
  if (!/^\d+$/.test(expires)) return false;
  let bytes: Uint8Array;
  try {
    bytes = base64url.decode(signature);
  } catch {
    return false;
  }
  return crypto.subtle.verify("HMAC", await hmacKey(secret), bytes, signedText(guid, Number(expires)));
}
