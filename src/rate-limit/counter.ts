// CC's RequestCounter, as a Durable Object: one instance per caller (a user's guid, or an IP address
// when the request has no valid token), so every isolate and location counts the same requests and
// the headers can say exactly how many are left. The Workers rate limiting binding answers only
// "allowed or not" over 10 or 60 seconds, which cannot give CC's X-RateLimit-Remaining and Reset.
import { DurableObject } from "cloudflare:workers";

interface Window {
  requests: number;
  /** Epoch seconds when the count starts again. */
  validUntil: number;
}

export interface RequestCount {
  /** The caller's requests in this window, this one included. */
  count: number;
  validUntil: number;
}

export class RequestCounter extends DurableObject {
  /**
   * Counts one request against `limit` in windows of `intervalSeconds`. A refused request is not
   * counted (CC increments only what it lets through). Storage calls are serialised by the object's
   * input gate, so concurrent requests never read the same count.
   */
  async count(limit: number, intervalSeconds: number): Promise<RequestCount> {
    const now = Math.floor(Date.now() / 1000);
    const stored = await this.ctx.storage.get<Window>("window");
    const current = stored && stored.validUntil >= now ? stored : undefined;
    const window = current ?? { requests: 0, validUntil: now + intervalSeconds };
    // A window's storage goes once it ends: one object per address ever seen must not keep a key
    // forever (a caller can make up addresses). A later window sets the alarm again, later.
    if (!current) await this.ctx.storage.setAlarm((window.validUntil + 1) * 1000);
    const count = window.requests + 1;
    // A refused request changes nothing (a new window's first request is never refused), so a flood
    // past the limit costs reads from the object's cache and no storage write.
    if (count <= limit) {
      window.requests = count;
      await this.ctx.storage.put("window", window);
    }
    return { count, validUntil: window.validUntil };
  }

  /** The window has ended: nothing of this caller is kept. */
  override async alarm(): Promise<void> {
    await this.ctx.storage.deleteAll();
  }
}
