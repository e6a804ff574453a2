/**
 * Dotted key paths of a parsed YAML document, `[]` for list items; the children of map-typed keys
 * (user data such as API key names) are not descended into.
 */
export function keyPaths(doc: unknown, mapKeys: ReadonlySet<string> = new Set(), prefix = ""): string[] {
  if (Array.isArray(doc)) return doc.flatMap((item) => (isObject(item) ? keyPaths(item, mapKeys, `${prefix}[]`) : [prefix]));
  if (!isObject(doc)) return prefix ? [prefix] : [];
  if (prefix && mapKeys.has(prefix)) return [prefix];
  return Object.entries(doc).flatMap(([k, v]) => {
    const path = prefix ? `${prefix}.${k}` : k;
    return isObject(v) || (Array.isArray(v) && v.some(isObject)) ? keyPaths(v, mapKeys, path) : [path];
  });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Option names of a coturn / Valkey config body (first token of each non-comment line). */
export function directives(body: string, separator: RegExp): string[] {
  return body
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"))
    .map((l) => l.split(separator)[0]);
}
