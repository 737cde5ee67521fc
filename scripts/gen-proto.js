// Generates TypeScript (ts-proto, grpc-js services) from src/api/proto/*.proto into src/api/gen/.
// protobufjs parses the .proto files and ts-proto's own plugin writes the code, so no protoc or buf binary
// is downloaded. Runs as part of `npm run build`; the output is build output and is not committed.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import descriptorExt from 'protobufjs/ext/descriptor/index.js';
import { CodeGeneratorResponse } from 'ts-proto-descriptors';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const protoDir = path.join(root, 'src/api/proto');
const outDir = path.join(root, 'src/api/gen');
const plugin = path.join(root, 'node_modules/.bin/protoc-gen-ts_proto');
const OPTIONS = [
  'outputServices=grpc-js',
  'esModuleInterop=true',
  'importSuffix=.js',
  'forceLong=number',
  'useOptionals=none',
  'outputJsonMethods=true',
  'env=node',
].join(',');

const files = readdirSync(protoDir)
  .filter((f) => f.endsWith('.proto'))
  .sort();
const pbRoot = new protobuf.Root();
pbRoot.resolvePath = (_origin, target) => path.join(protoDir, target);
pbRoot.loadSync(files, { keepCase: true });
pbRoot.resolveAll();

const rel = (file) => path.relative(protoDir, file);
const camel = (name) => name.replace(/_([a-z0-9])/g, (_m, c) => c.toUpperCase());

// protobufjs keeps type references as written; descriptors need fully-qualified names and json names.
function qualify(desc, type) {
  for (const fd of desc.field) {
    fd.jsonName = camel(fd.name);
    const f = type.fields[fd.name];
    if (f?.map) fd.typeName = `${type.fullName}.${fd.typeName.split('.').pop()}`;
    else if (f?.resolvedType) fd.typeName = f.resolvedType.fullName;
  }
  for (const nd of desc.nestedType) {
    const nested = type.nested?.[nd.name];
    if (nested instanceof protobuf.Type) {
      qualify(nd, nested);
      continue;
    }
    // A synthesised map-entry type.
    for (const fd of nd.field) {
      fd.jsonName = camel(fd.name);
      if (fd.typeName && !fd.typeName.startsWith('.')) {
        const found = type.lookup(fd.typeName);
        if (found) fd.typeName = found.fullName;
      }
    }
  }
}

// Group top-level declarations by the file they came from, so each .proto becomes one .ts module.
const byFile = new Map();
(function walk(ns) {
  for (const obj of ns.nestedArray) {
    if (obj instanceof protobuf.Type || obj instanceof protobuf.Enum || obj instanceof protobuf.Service) {
      const file = rel(obj.filename);
      if (!byFile.has(file)) byFile.set(file, { pkg: ns.fullName.slice(1), objs: [] });
      byFile.get(file).objs.push(obj);
    } else if (obj instanceof protobuf.Namespace) {
      walk(obj);
    }
  }
})(pbRoot);

const protoFiles = files.map((file) => {
  const entry = byFile.get(file);
  if (!entry) throw new Error(`${file}: declares nothing`);
  const deps = new Set();
  const messageType = [];
  const enumType = [];
  const service = [];
  const noteDep = (t) => {
    const f = rel(t.filename);
    if (f !== file) deps.add(f);
  };
  for (const obj of entry.objs) {
    if (obj instanceof protobuf.Type) {
      const d = obj.toDescriptor('proto3');
      qualify(d, obj);
      messageType.push(d);
      (function visit(t) {
        for (const f of t.fieldsArray) if (f.resolvedType) noteDep(f.resolvedType);
        for (const n of t.nestedArray) if (n instanceof protobuf.Type) visit(n);
      })(obj);
    } else if (obj instanceof protobuf.Enum) {
      enumType.push(obj.toDescriptor());
    } else {
      const d = obj.toDescriptor();
      for (const md of d.method) {
        const m = obj.methods[md.name];
        md.inputType = m.resolvedRequestType.fullName;
        md.outputType = m.resolvedResponseType.fullName;
        noteDep(m.resolvedRequestType);
        noteDep(m.resolvedResponseType);
      }
      service.push(d);
    }
  }
  const fdp = descriptorExt.FileDescriptorProto.create({
    name: file,
    package: entry.pkg,
    dependency: [...deps].sort(),
    messageType,
    enumType,
    service,
    syntax: 'proto3',
  });
  fdp.messageType.forEach((d, i) => fixOneofs(d, messageTypesOf(entry)[i]));
  return descriptorExt.FileDescriptorProto.encode(fdp).finish();
});

function messageTypesOf(entry) {
  return entry.objs.filter((o) => o instanceof protobuf.Type);
}

// Make oneof membership and proto3 `optional` explicit (oneof_index 0 included: it is a proto2 field whose
// presence matters), from protobufjs' own model.
function fixOneofs(desc, type) {
  const oneofNames = desc.oneofDecl.map((o) => o.name);
  for (const fd of desc.field) {
    const f = type.fields[fd.name];
    if (!f?.partOf) continue;
    fd.oneofIndex = oneofNames.indexOf(f.partOf.name);
    if (f.options?.proto3_optional || f.partOf.name === `_${f.name}`) fd.proto3Optional = true;
  }
  for (const nd of desc.nestedType) {
    const nested = type.nested?.[nd.name];
    if (nested instanceof protobuf.Type) fixOneofs(nd, nested);
  }
}

// google.protobuf.compiler.CodeGeneratorRequest, written field by field: file_to_generate = 1,
// parameter = 2, proto_file = 15.
const writer = protobuf.Writer.create();
for (const f of files) writer.uint32((1 << 3) | 2).string(f);
writer.uint32((2 << 3) | 2).string(OPTIONS);
for (const bytes of protoFiles) writer.uint32((15 << 3) | 2).bytes(bytes);
const request = writer.finish();
const run = spawnSync(plugin, { input: Buffer.from(request), maxBuffer: 64 << 20 });
if (run.status !== 0) {
  process.stderr.write(`protoc-gen-ts_proto failed:\n${run.stderr}`);
  process.exit(1);
}
const response = CodeGeneratorResponse.decode(run.stdout);
if (response.error) {
  process.stderr.write(`protoc-gen-ts_proto: ${response.error}\n`);
  process.exit(1);
}
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
for (const f of response.file) {
  const target = path.join(outDir, f.name);
  mkdirSync(path.dirname(target), { recursive: true });
  writeFileSync(target, f.content);
}
console.log(`gen-proto: ${files.length} .proto → ${response.file.length} .ts in src/api/gen`);
