// Extracts the request-body JSON Schemas of the GitHub REST operations the gateway calls from GitHub's
// published OpenAPI description, the npm package @octokit/openapi (built from github/rest-api-description,
// https://github.com/github/rest-api-description), into request-bodies.json next to this script.
//
// Usage, from this directory:
//   npm pack @octokit/openapi@23.0.2 && tar xzf octokit-openapi-23.0.2.tgz
//   node extract.mjs package
//   rm -r package octokit-openapi-23.0.2.tgz
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

// Every operation the gateway sends a JSON body to (ci/github/GitHubConnector, reporting/StatusReports,
// reporting/GitHubAppTokens).
const OPERATIONS = [
  "actions/create-workflow-dispatch",
  "repos/create-deployment",
  "repos/create-deployment-status",
  "apps/create-installation-access-token",
];

const packageDir = process.argv[2];
if (!packageDir) {
  console.error("usage: node extract.mjs <unpacked @octokit/openapi package directory>");
  process.exit(2);
}
const pkg = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8"));
const description = JSON.parse(readFileSync(join(packageDir, "generated", "api.github.com.deref.json"), "utf8"));

// OpenAPI 3.0's "nullable: true" is JSON Schema's type [t, "null"]; "example" is documentation only.
function toJsonSchema(node) {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (node === null || typeof node !== "object") return node;
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "nullable" || key === "example") continue;
    out[key] = key === "properties"
      ? Object.fromEntries(Object.entries(value).map(([name, schema]) => [name, toJsonSchema(schema)]))
      : toJsonSchema(value);
  }
  if (node.nullable === true && typeof node.type === "string") out.type = [node.type, "null"];
  return out;
}

const schemas = {};
for (const [path, item] of Object.entries(description.paths)) {
  for (const [method, operation] of Object.entries(item)) {
    if (!OPERATIONS.includes(operation.operationId)) continue;
    const schema = operation.requestBody?.content?.["application/json"]?.schema;
    if (!schema) throw new Error(`${operation.operationId} has no application/json request body`);
    schemas[operation.operationId] = {
      method: method.toUpperCase(),
      path,
      documentation: operation.externalDocs?.url,
      schema: { $schema: "https://json-schema.org/draft/2020-12/schema", ...toJsonSchema(schema) },
    };
  }
}
const missing = OPERATIONS.filter((id) => !schemas[id]);
if (missing.length) throw new Error(`not in the description: ${missing.join(", ")}`);

const out = {
  source: `npm package ${pkg.name}@${pkg.version}, file generated/api.github.com.deref.json (GitHub's OpenAPI description`
    + ` ${description.info.version}, https://github.com/github/rest-api-description)`,
  operations: schemas,
};
writeFileSync(join(dirname(fileURLToPath(import.meta.url)), "request-bodies.json"), JSON.stringify(out, null, 2) + "\n");
console.log(`wrote ${Object.keys(schemas).length} request-body schemas from ${pkg.name}@${pkg.version}`);
