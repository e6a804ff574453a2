// The groups `npm run mutate` runs, one Stryker run each: what it mutates, and the list of test files
// that cover it (one per line, next to this file). The order of a list matters: a mutant's run stops
// at its first failing test, so a folder's own tests, which assert its exact words and values, come
// first. scale.test.ts (10,000 cameras per test) is only in schema's list, last.
export const MUTATION_GROUPS = {
  schema: { mutate: ["schema/**/*.ts"], tests: "schema-tests.txt" },
  templates: { mutate: ["templates/*.ts", "!templates/docker.ts"], tests: "templates-tests.txt" },
  targets: { mutate: ["templates/k8s/**/*.ts", "templates/docker.ts"], tests: "targets-tests.txt" },
  reconciler: { mutate: ["reconciler/**/*.ts"], tests: "reconciler-tests.txt" },
};
