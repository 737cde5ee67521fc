// The mesh file as a plain document (what `meshctl demo` writes; the control plane parses and validates it).

export interface MeshFileSpecDoc {
  trustDomain: string;
  controlPlaneNamespace: string;
  services: {
    name: string;
    namespace: string;
    ports: number[];
    workload: string;
    profile?: unknown;
  }[];
  workloads: {
    name: string;
    namespace: string;
    serviceAccount: string;
    instances: { name: string; address: string; admin: string; tap: string; token: string }[];
  }[];
}
