// @ts-check
// What the bench measures, in order: each endpoint of the issue right after the reference worker that
// marks its floor, so both run under the same conditions.

/** @typedef {import("./measure.mjs").Scenario} Scenario */

/**
 * @typedef {{
 *   seconds: number,
 *   warmupSeconds: number,
 *   rounds: number,
 *   maxRequests: number,
 *   connections: number,
 *   transfers: number,
 *   concurrentTransfers: number,
 *   largeCount: number,
 * }} Plan
 */

/**
 * One upload scenario's bodies: the zip (the raw put's body) and the form carrying it (the upload's),
 * sent over `connections` connections at once, each upload to a package of its own.
 * @typedef {{
 *   id: string,
 *   size: string,
 *   zipFile: string,
 *   form: { file: string, contentType: string },
 *   connections: number,
 *   requests: number,
 *   guids: string[],
 * }} UploadLoad
 */

/**
 * @typedef {{
 *   tokens: { small: string, large: string, writer: string },
 *   apps: { create: string, seed: string, upload: string, floor: string },
 *   show: { guid: string, id: number },
 *   uploads: UploadLoad[],
 *   packageResponseBytes: number,
 *   workerdPid: number,
 *   isolates: { app: string, r2: string },
 *   bomb?: { file: string, contentType: string, guids: string[], unzippedBytes: number },
 * }} Inputs
 */

const SEED_BODY = '{\n  "type": "docker",\n  "url": "docker://cloudfoundry/runtime-ci"\n}';
const bearer = (/** @type {string} */ token) => ({ Authorization: `bearer ${token}` });

/**
 * Requests/s scenarios: many small requests over `plan.connections` connections.
 * @param {Plan} plan
 * @param {Inputs} inputs
 * @returns {Scenario[]}
 */
export function rateScenarios(plan, inputs) {
  const bounds = {
    connections: plan.connections,
    seconds: plan.seconds,
    warmupSeconds: plan.warmupSeconds,
    maxRequests: plan.maxRequests,
    timeoutSeconds: 10,
  };
  /**
   * @param {Omit<Scenario, "load" | "probe"> & { method: string, path: string, headers?: Record<string, string>, body?: string }} s
   * @returns {Scenario}
   */
  const scenario = ({ method, path, headers = {}, body, ...rest }) => {
    const request = { method, headers, ...(body !== undefined ? { body } : {}) };
    return {
      ...rest,
      load: { ...bounds, ...request, paths: [path] },
      ...(rest.floor ? { probe: { ...request, path } } : {}),
    };
  };
  const list = "/v3/packages?per_page=50";
  return [
    scenario({
      id: "floor-static",
      label: `static 200 (${inputs.packageResponseBytes} B)`,
      expect: 200,
      method: "GET",
      path: `/__floor/static?bytes=${inputs.packageResponseBytes}`,
    }),
    scenario({
      id: "floor-d1-read",
      label: "bare D1 point read",
      expect: 200,
      method: "GET",
      path: `/__floor/d1-read?id=${inputs.show.id}`,
    }),
    scenario({
      id: "show",
      label: "GET /v3/packages/:guid",
      floor: "floor-d1-read",
      expect: 200,
      method: "GET",
      path: `/v3/packages/${inputs.show.guid}`,
      headers: bearer(inputs.tokens.large),
    }),
    scenario({
      id: "list-small",
      label: "GET /v3/packages?per_page=50 (1k visible)",
      floor: "floor-d1-read",
      expect: 200,
      method: "GET",
      path: list,
      headers: bearer(inputs.tokens.small),
    }),
    scenario({
      id: "list-large",
      label: `GET /v3/packages?per_page=50 (${plan.largeCount / 1000}k visible)`,
      floor: "floor-d1-read",
      expect: 200,
      method: "GET",
      path: list,
      headers: bearer(inputs.tokens.large),
    }),
    scenario({
      id: "download-redirect",
      label: "GET /v3/packages/:guid/download (302)",
      floor: "floor-d1-read",
      expect: 302,
      method: "GET",
      path: `/v3/packages/${inputs.show.guid}/download`,
      headers: bearer(inputs.tokens.large),
    }),
    scenario({
      id: "floor-d1-insert",
      label: "bare D1 insert",
      expect: 201,
      method: "POST",
      path: `/__floor/d1-insert?app=${inputs.apps.floor}`,
    }),
    scenario({
      id: "seed-create",
      label: "POST /v3/apps/:guid/packages (seed, form type)",
      floor: "floor-d1-insert",
      expect: 201,
      method: "POST",
      path: `/v3/apps/${inputs.apps.seed}/packages`,
      headers: { ...bearer(inputs.tokens.writer), "Content-Type": "application/x-www-form-urlencoded" },
      body: SEED_BODY,
    }),
    scenario({
      id: "create",
      label: "POST /v3/packages (bits)",
      floor: "floor-d1-insert",
      expect: 201,
      method: "POST",
      path: "/v3/packages",
      headers: { ...bearer(inputs.tokens.writer), "Content-Type": "application/json" },
      body: JSON.stringify({ type: "bits", relationships: { app: { data: { guid: inputs.apps.create } } } }),
    }),
  ];
}

/**
 * The transfers of each upload load, in pairs: a raw R2 put of the zip, then the upload of the form
 * carrying it, both with workerd's memory and the serving isolate's sampled. The first pair's ids are
 * "floor-r2-put" and "upload".
 * @param {Inputs} inputs
 * @returns {Scenario[][]}
 */
export function uploadScenarios(inputs) {
  return inputs.uploads.map((upload) => {
    const bounds = {
      connections: upload.connections,
      seconds: 300,
      warmupSeconds: 0,
      maxRequests: upload.requests,
      timeoutSeconds: 180,
    };
    const suffix = upload.id ? `-${upload.id}` : "";
    const form = { "Content-Type": upload.form.contentType };
    const floorId = `floor-r2-put${suffix}`;
    return [
      {
        id: floorId,
        label: `raw R2 put (streamed, ${upload.size})`,
        transfer: true,
        expect: 201,
        sampleMemoryOf: inputs.workerdPid,
        sampleIsolateOf: inputs.isolates.r2,
        load: {
          ...bounds,
          method: "PUT",
          headers: { "Content-Type": "application/zip" },
          bodyFile: upload.zipFile,
          paths: Array.from({ length: upload.requests }, (_, i) => `/__floor/r2/package${suffix}-${i}.zip`),
        },
      },
      {
        id: `upload${suffix}`,
        label: `POST /v3/packages/:guid/upload (${upload.size})`,
        floor: floorId,
        transfer: true,
        expect: 200,
        sampleMemoryOf: inputs.workerdPid,
        sampleIsolateOf: inputs.isolates.app,
        // A package that does not exist: answers 404 Package not found once the route exists.
        probe: {
          method: "POST",
          path: `/v3/packages/${crypto.randomUUID()}/upload`,
          headers: { ...bearer(inputs.tokens.writer), ...form },
          body: "",
        },
        load: {
          ...bounds,
          method: "POST",
          headers: { ...bearer(inputs.tokens.writer), ...form },
          bodyFile: upload.form.file,
          paths: upload.guids.map((guid) => `/v3/packages/${guid}/upload`),
        },
      },
    ];
  });
}

/**
 * A zip bomb just past MAX_UNZIPPED_PACKAGE_SIZE (~1 MiB on the wire): refused once its inflated content
 * passes the maximum, its latency the CPU of inflating up to the cap, workerd's memory sampled to set
 * beside the upload's.
 * @param {Plan} plan
 * @param {NonNullable<Inputs["bomb"]>} bomb
 * @param {string} token
 * @returns {Scenario}
 */
export function bombScenario(plan, bomb, token) {
  return {
    id: "upload-bomb",
    label: `POST /v3/packages/:guid/upload (zip bomb, ${bomb.unzippedBytes / 1024 ** 2} MiB of zeros)`,
    transfer: true,
    expect: 400,
    load: {
      connections: 1,
      seconds: 300,
      warmupSeconds: 0,
      maxRequests: plan.transfers,
      timeoutSeconds: 120,
      method: "POST",
      headers: { ...bearer(token), "Content-Type": bomb.contentType },
      bodyFile: bomb.file,
      paths: bomb.guids.map((guid) => `/v3/packages/${guid}/upload`),
    },
  };
}

/**
 * Reading the bits back: a raw R2 get, then the signed URL the download redirect gave.
 * @param {Plan} plan
 * @param {string | undefined} signedPath path and query of the signed URL, when there is one
 * @returns {Scenario[]}
 */
export function downloadScenarios(plan, signedPath) {
  const bounds = {
    connections: 1,
    seconds: 300,
    warmupSeconds: 0,
    maxRequests: plan.transfers,
    timeoutSeconds: 120,
  };
  return [
    {
      id: "floor-r2-get",
      label: "raw R2 get (streamed)",
      transfer: true,
      expect: 200,
      load: { ...bounds, method: "GET", headers: {}, paths: ["/__floor/r2/package-0.zip"] },
    },
    {
      id: "download-follow",
      label: "signed download URL (50 MiB)",
      floor: "floor-r2-get",
      transfer: true,
      expect: 200,
      load: { ...bounds, method: "GET", headers: {}, paths: [signedPath ?? "/"] },
    },
  ];
}
