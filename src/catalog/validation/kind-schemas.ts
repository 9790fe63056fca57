/**
 * JSON Schemas for the descriptor envelope, metadata and each supported kind, written to accept
 * what Backstage's own schemas accept (unknown spec keys pass through). Field formats that need
 * better messages than a regex failure (names, label keys, tags, link schemes) are checked in
 * field-format.ts instead.
 */
const stringField = { type: 'string', minLength: 1 } as const;
const refList = { type: 'array', items: stringField } as const;

const metadataSchema = {
  type: 'object',
  required: ['name'],
  properties: {
    name: { type: 'string' },
    namespace: { type: 'string' },
    title: stringField,
    description: { type: 'string' },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    annotations: { type: 'object', additionalProperties: { type: 'string' } },
    tags: { type: 'array', items: { type: 'string' } },
    links: {
      type: 'array',
      items: {
        type: 'object',
        required: ['url'],
        properties: { url: stringField, title: stringField, icon: stringField, type: stringField },
      },
    },
    uid: { type: 'string' },
    etag: { type: 'string' },
  },
} as const;

export const envelopeSchema = {
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata'],
  properties: {
    apiVersion: { type: 'string', pattern: '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[a-zA-Z0-9]{1,63}$' },
    kind: { type: 'string', pattern: '^[a-zA-Z][a-z0-9A-Z]{0,62}$' },
    metadata: metadataSchema,
    spec: { type: 'object' },
  },
  // Backstage accepts exactly these four root keys on input; relations and status are computed.
  additionalProperties: false,
} as const;

function specSchema(required: string[], properties: Record<string, unknown>) {
  return { type: 'object', required, properties };
}

const profile = {
  type: 'object',
  properties: { displayName: stringField, email: stringField, picture: stringField },
} as const;

const BACKSTAGE_VERSIONS = ['backstage.io/v1alpha1', 'backstage.io/v1beta1'];

export interface KindDefinition {
  kind: string;
  apiVersions: string[];
  spec: Record<string, unknown>;
  /** Whether the kind must have a spec at all (Location's spec is all optional, but the object is still expected). */
  specRequired: boolean;
}

export const KIND_DEFINITIONS: KindDefinition[] = [
  {
    kind: 'Component',
    apiVersions: BACKSTAGE_VERSIONS,
    specRequired: true,
    spec: specSchema(['type', 'lifecycle', 'owner'], {
      type: stringField,
      lifecycle: stringField,
      owner: stringField,
      system: stringField,
      subcomponentOf: stringField,
      providesApis: refList,
      consumesApis: refList,
      dependsOn: refList,
      dependencyOf: refList,
    }),
  },
  {
    kind: 'API',
    apiVersions: BACKSTAGE_VERSIONS,
    specRequired: true,
    spec: {
      type: 'object',
      required: ['type', 'lifecycle', 'owner'],
      properties: {
        type: stringField,
        lifecycle: stringField,
        owner: stringField,
        system: stringField,
        definition: { type: 'string' },
        remotes: {
          type: 'array',
          items: { type: 'object', required: ['type', 'url'], properties: { type: stringField, url: stringField } },
        },
      },
      // MCP server APIs describe themselves with `remotes`; every other API type needs a definition.
      if: { properties: { type: { const: 'mcp-server' } } },
      then: { required: ['remotes'], properties: { remotes: { type: 'array', minItems: 1 } } },
      else: { required: ['definition'] },
    },
  },
  {
    kind: 'Resource',
    apiVersions: BACKSTAGE_VERSIONS,
    specRequired: true,
    spec: specSchema(['type', 'owner'], {
      type: stringField,
      owner: stringField,
      system: stringField,
      dependsOn: refList,
      dependencyOf: refList,
    }),
  },
  {
    kind: 'System',
    apiVersions: BACKSTAGE_VERSIONS,
    specRequired: true,
    spec: specSchema(['owner'], { owner: stringField, domain: stringField, type: stringField }),
  },
  {
    kind: 'Domain',
    apiVersions: BACKSTAGE_VERSIONS,
    specRequired: true,
    spec: specSchema(['owner'], { owner: stringField, subdomainOf: stringField, type: stringField }),
  },
  {
    kind: 'Group',
    apiVersions: BACKSTAGE_VERSIONS,
    specRequired: true,
    spec: specSchema(['type', 'children'], {
      type: stringField,
      profile,
      parent: stringField,
      children: refList,
      members: refList,
    }),
  },
  {
    kind: 'User',
    apiVersions: BACKSTAGE_VERSIONS,
    specRequired: true,
    spec: specSchema(['memberOf'], { profile, memberOf: refList }),
  },
  {
    kind: 'Location',
    apiVersions: BACKSTAGE_VERSIONS,
    specRequired: false,
    spec: specSchema([], {
      type: stringField,
      target: stringField,
      targets: refList,
      presence: { enum: ['required', 'optional'] },
    }),
  },
  {
    kind: 'Template',
    apiVersions: ['scaffolder.backstage.io/v1beta3'],
    specRequired: true,
    spec: specSchema(['type', 'steps'], {
      type: stringField,
      owner: stringField,
      lifecycle: stringField,
      parameters: { type: ['object', 'array'] },
      steps: {
        type: 'array',
        items: {
          type: 'object',
          required: ['action'],
          properties: {
            id: stringField,
            name: stringField,
            action: stringField,
            input: { type: 'object' },
            if: { type: ['string', 'boolean'] },
            each: { type: ['string', 'array'] },
          },
        },
      },
      output: { type: 'object' },
      presentation: { type: 'object' },
      secrets: { type: 'object' },
    }),
  },
];

export function kindSchema(definition: KindDefinition): Record<string, unknown> {
  return {
    type: 'object',
    required: definition.specRequired ? ['spec'] : [],
    properties: { spec: definition.spec },
  };
}
