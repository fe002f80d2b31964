/** Where a package's zip lives in R2. */
export const packageBitsKey = (packageGuid: string) => `packages/${packageGuid}`;
