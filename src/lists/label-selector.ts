// CC's `label_selector` list filter, for any resource with labels: the query value parsed into
// requirements as CC's MetadataHelpers patterns read it, checked with the metadata key and value rules;
// db/conditions.ts turns them into SQL over the shared `labels` table.
import * as z from "zod/mini";
import type { LabelOperator, LabelRequirement } from "../db/conditions";
import { addMessages } from "../http/validation";
import { labelValueError, metadataKeyError } from "../metadata/messages";
import type { NestedParam } from "./pagination";

const MAX_LABEL_SELECTOR_REQUIREMENTS = 50;

// CC's requirement grammar, read in linear time (a query is the caller's, and backtracking regular
// expressions took time quadratic in its length): commas inside parentheses do not split requirements;
// keys of the operator forms are limited to these characters, while set forms take any key and validate
// it after. No form spans a line break (Ruby's `.`, unlike JavaScript's, matches \r but not \n).
const KEY = "[\\w\\-./]+";
const OPERATOR_FORMS: readonly [RegExp, LabelOperator][] = [
  [new RegExp(`^(?<key>${KEY})==?(?<values>[^\\n]*)$`), "equal"],
  [new RegExp(`^(?<key>${KEY})!=(?<values>[^\\n]*)$`), "not_equal"],
  [new RegExp(`^(?<key>${KEY})$`), "exists"],
  [new RegExp(`^!(?<key>${KEY})$`), "not_exists"],
];

/**
 * The requirements of a selector, as the pattern `(?:\([^\n]*?\)|[^,])+` (CC's, with Ruby's `.`) finds
 * them: a "(" takes everything up to the next ")" on its line (commas included), or is a character like
 * any other when there is none. The next ")" or line break is found once for the "("s before it.
 */
function splitRequirements(selector: string): string[] {
  const requirements: string[] = [];
  let stop = -1;
  let at = 0;
  while (at < selector.length) {
    const start = at;
    while (at < selector.length && selector[at] !== ",") {
      if (selector[at] === "(" && stop <= at) {
        stop = at + 1;
        while (stop < selector.length && selector[stop] !== ")" && selector[stop] !== "\n") stop++;
      }
      at = selector[at] === "(" && selector[stop] === ")" ? stop + 1 : at + 1;
    }
    if (at > start) requirements.push(selector.slice(start, at));
    else at++;
  }
  return requirements;
}

/** `key in (values)` (or notin): the key up to the first " in (", the values up to the final ")". */
function setForm(text: string, operator: "in" | "notin"): { key: string; values: string } | undefined {
  const opener = ` ${operator} (`;
  if (text.includes("\n") || !text.endsWith(")")) return undefined;
  const at = text.indexOf(opener);
  if (at < 0 || at + opener.length > text.length - 1) return undefined;
  return { key: text.slice(0, at), values: text.slice(at + opener.length, -1) };
}

/** Ruby's `split(",")`: trailing empty parts are dropped, so "" has no values. */
function splitValues(text: string): string[] {
  const values = text.split(",");
  while (values.length && values.at(-1) === "") values.pop();
  return values;
}

function requirementOf(text: string): LabelRequirement | undefined {
  for (const operator of ["in", "notin"] as const) {
    const form = setForm(text, operator);
    if (form) return { key: form.key, operator, values: splitValues(form.values) };
  }
  for (const [pattern, operator] of OPERATOR_FORMS) {
    const groups = pattern.exec(text)?.groups;
    if (groups) return { key: groups.key!, operator, values: splitValues(groups.values ?? "") };
  }
  return undefined;
}

/** The label rule a requirement's key or one of its values breaks, in CC's words. */
function requirementProblem(requirement: LabelRequirement | undefined): string | undefined {
  if (!requirement) return "Invalid label_selector value";
  return (
    metadataKeyError(requirement.key) ??
    requirement.values.map(labelValueError).find((problem) => problem !== undefined)
  );
}

/** The requirements of a selector, or CC's messages for it (missing, too many, each bad requirement). */
function parseLabelSelector(selector: string): { requirements: LabelRequirement[] } | { problems: string[] } {
  const parsed = splitRequirements(selector).map(requirementOf);
  if (!parsed.length) return { problems: ["Missing label_selector value"] };
  if (parsed.length > MAX_LABEL_SELECTOR_REQUIREMENTS) {
    return {
      problems: [`Too many label_selector requirements (maximum is ${MAX_LABEL_SELECTOR_REQUIREMENTS})`],
    };
  }
  const problems = parsed.map(requirementProblem).filter((problem) => problem !== undefined);
  if (problems.length) return { problems };
  return { requirements: parsed as LabelRequirement[] };
}

export interface LabelSelectorParam {
  /** As given, for pagination links. */
  selector: string;
  requirements: LabelRequirement[];
}

/** The `label_selector` query field: its text (for links) and requirements, or CC's 400 messages. */
export const labelSelectorParam = z.pipe(
  z.optional(z.union([z.string(), z.record(z.string(), z.string())])),
  z.transform((value: string | NestedParam | undefined, ctx): LabelSelectorParam | undefined => {
    if (value === undefined) return undefined;
    const parsed = typeof value === "string" ? parseLabelSelector(value) : undefined;
    if (typeof value === "string" && parsed && "requirements" in parsed) {
      return { selector: value, requirements: parsed.requirements };
    }
    const problems = parsed && "problems" in parsed ? parsed.problems : ["Invalid label_selector value"];
    // Continuable, so the list's other checks (unknown parameters) still report alongside.
    addMessages(ctx, problems, true);
    return z.NEVER;
  }),
);
