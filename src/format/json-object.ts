// The one test the readers of the format share for "a JSON object": not null, not an array.
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
