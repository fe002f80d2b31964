// The upload's form, read as it streams: `resources` (small, kept), `bits` (handed on as a stream the
// moment it starts, so it goes straight to R2), anything else noted. Message errors are CC's, in CC's
// order: `resources` that is not JSON, then unknown fields, then a form with neither bits nor resources.
import type { ByteSource } from "../../http/byte-source";
import { CfError, unprocessable } from "../../http/errors";
import { isBlank } from "../../http/messages";
import { readTextUpTo } from "../../http/validation";
import { parseResourcesField } from "./fingerprints";
import { MalformedMultipart, MultipartReader } from "./multipart";

// Fields CC accepts besides bits and resources; nginx's upload module sets them, we have no use for them.
const IGNORED_FIELDS = ["bits_name", "bits_path", "upload_start_time"];
// 5000 fingerprints with long paths fit easily; a larger field is not a resource list.
const MAX_RESOURCES_BYTES = 8 * 1024 * 1024;
const resourcesTooLarge = () => new MalformedMultipart("resources field too large");

export interface UploadForm {
  resources: unknown;
  hasBits: boolean;
  resourcesError: CfError | undefined;
  unknownFields: string[];
}

/** The message error of the form so far (`complete`: the whole form has been read). */
export function formError(form: UploadForm, complete: boolean): CfError | undefined {
  if (form.resourcesError) return form.resourcesError;
  if (form.unknownFields.length) {
    return unprocessable(`Unknown field(s): ${form.unknownFields.map((name) => `'${name}'`).join(", ")}`);
  }
  if (complete && !form.hasBits && isBlank(form.resources)) {
    return unprocessable("Upload must include either resources or bits");
  }
  return undefined;
}

/**
 * Reads the form; `onBits` gets the first `bits` part's stream (and the form read so far) unless a
 * message error is already known (then the part is skipped, the error wins). A body that is not
 * multipart is an empty form.
 */
export async function readUploadForm(
  body: ByteSource | null,
  boundary: string | undefined,
  onBits: (bits: ReadableStream<Uint8Array>, form: UploadForm) => Promise<void>,
): Promise<UploadForm> {
  const form: UploadForm = {
    resources: undefined,
    hasBits: false,
    resourcesError: undefined,
    unknownFields: [],
  };
  if (!body || !boundary) return form;
  const reader = new MultipartReader(body, boundary);
  for (let part = await reader.nextPart(); part; part = await reader.nextPart()) {
    if (part.name === "resources") {
      const text = await readTextUpTo(part.body, MAX_RESOURCES_BYTES, resourcesTooLarge);
      try {
        form.resources = parseResourcesField(text);
      } catch (err) {
        if (!(err instanceof CfError)) throw err;
        form.resourcesError ??= err;
      }
    } else if (part.name === "bits") {
      if (form.hasBits) continue;
      form.hasBits = true;
      if (!formError(form, false)) await onBits(part.body, form);
    } else if (!IGNORED_FIELDS.includes(part.name) && !form.unknownFields.includes(part.name)) {
      form.unknownFields.push(part.name);
    }
  }
  return form;
}
