/** `/catalog/locations/0/type` as the `catalog.locations[0].type` people write in YAML. */
export function fieldPath(pointer: string): string {
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`))
    .join('')
    .replace(/^\./, '');
}

/** Ajv's words for one error, with the allowed values or the unknown key spelled out. */
export function ajvMessage(error: { message?: string; params: Record<string, unknown> }): string {
  if (Array.isArray(error.params.allowedValues)) return `must be one of: ${error.params.allowedValues.join(', ')}`;
  const unknownKey = typeof error.params.additionalProperty === 'string' ? ` ("${error.params.additionalProperty}" is not a known key)` : '';
  return `${error.message ?? 'is invalid'}${unknownKey}`;
}
