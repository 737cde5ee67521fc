// The kinds of resource the mesh answers questions about, and every spelling of each that users type (kubectl's
// aliases and plurals). One table for the CLI, top, and the metrics and tap services, so that a spelling one of
// them accepts, all of them accept.

export const RESOURCE_KINDS = ['namespace', 'workload', 'pod', 'service', 'authority'] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

/** The spellings each kind accepts besides its name, as kubectl and linkerd take them. */
export const RESOURCE_ALIASES: Readonly<Record<ResourceKind, readonly string[]>> = {
  namespace: ['ns'],
  workload: ['deployment', 'deploy'],
  pod: ['po'],
  service: ['svc'],
  authority: ['au'],
};

/** Every spelling of a kind: its name, its aliases, and plurals as kubectl accepts them. */
export function spellingsOf(kind: ResourceKind): string[] {
  const plural = (w: string): string => (w.endsWith('y') ? `${w.slice(0, -1)}ies` : `${w}s`);
  return [kind, ...RESOURCE_ALIASES[kind], plural(kind), ...(kind === 'workload' ? ['deployments'] : [])];
}

const BY_SPELLING: ReadonlyMap<string, ResourceKind> = new Map(
  RESOURCE_KINDS.flatMap((kind) => spellingsOf(kind).map((s) => [s, kind] as const)),
);

/** The kind a spelling names (case-insensitive), or undefined. */
export function resourceKindOf(text: string): ResourceKind | undefined {
  return BY_SPELLING.get(text.toLowerCase());
}
