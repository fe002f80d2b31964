/** CC's timestamp format: "YYYY-MM-DDThh:mm:ssZ". */
export function timestamp(epochSeconds: number): string {
  return `${new Date(epochSeconds * 1000).toISOString().slice(0, 19)}Z`;
}
