// The mesh file example shown in `meshctl control --help`, apart from the parser so that the help text
// does not load the YAML library into every meshctl process (the proxy included).
export const MESH_FILE_EXAMPLE = `# meshctl local mesh file
trustDomain: cluster.local
controlPlaneNamespace: mesh
services:
  - name: web
    namespace: demo
    ports: [80]
    workload: web
    profile:
      routes:
        - name: GET /books/{id}
          method: GET
          pathRegex: /books/\\d+
          retryable: true
          timeout: 300ms
workloads:
  - name: web
    namespace: demo
    serviceAccount: web
    instances:
      - name: web-0
        address: 127.0.0.1:4143
        admin: 127.0.0.1:4191
        tap: 127.0.0.1:4190
`;
