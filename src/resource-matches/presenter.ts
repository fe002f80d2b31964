// A matched resource as CC's ResourceMatchPresenter shows it: the client's own fields echoed back.
import type { ResourceMatchItem } from "./messages";

export function presentMatch(item: ResourceMatchItem) {
  return {
    checksum: { value: item.checksum.value },
    size_in_bytes: item.size_in_bytes,
    path: item.path ?? null,
    // The cf CLI parses mode as an octal string and fails on anything else.
    mode: item.mode === undefined || item.mode === null ? null : String(item.mode),
  };
}
