/**
 * Just enough of the Kubernetes protobuf encoding to read a SelfSubjectAccessReview: kubectl (`auth can-i`)
 * posts built-in kinds as `application/vnd.kubernetes.protobuf`, a `k8s\0` magic followed by runtime.Unknown.
 */

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** Length-delimited fields of one message, by field number (varints and fixed fields are skipped). */
function fields(buffer: Buffer): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  let offset = 0;
  const varint = (): number => {
    let value = 0;
    let shift = 0;
    for (;;) {
      const byte = buffer[offset++];
      if (byte === undefined) throw new Error('truncated varint');
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return value;
      shift += 7;
    }
  };
  while (offset < buffer.length) {
    const tag = varint();
    const wireType = tag & 7;
    if (wireType === 0) varint();
    else if (wireType === 1) offset += 8;
    else if (wireType === 5) offset += 4;
    else if (wireType === 2) {
      const length = varint();
      out.set(Math.floor(tag / 8), buffer.subarray(offset, offset + length));
      offset += length;
    } else throw new Error(`unsupported wire type ${wireType}`);
  }
  return out;
}

const RESOURCE_ATTRIBUTES = [
  'namespace',
  'verb',
  'group',
  'version',
  'resource',
  'subresource',
  'name',
] as const;

/** The `spec` of a protobuf SelfSubjectAccessReview (authorization/v1 generated.proto field numbers). */
export function decodeReviewSpec(body: Buffer): Record<string, unknown> {
  if (!body.subarray(0, 4).equals(MAGIC)) throw new Error('missing k8s protobuf magic');
  const raw = fields(body.subarray(4)).get(2);
  const spec = raw && fields(raw).get(2);
  if (!spec) return {};
  const specFields = fields(spec);
  const resource = specFields.get(1);
  const nonResource = specFields.get(2);
  const strings = (message: Buffer, names: readonly string[]) =>
    Object.fromEntries(
      [...fields(message)]
        .filter(([n]) => n <= names.length)
        .map(([n, value]) => [names[n - 1]!, value.toString('utf8')]),
    );
  return {
    ...(resource ? { resourceAttributes: strings(resource, RESOURCE_ATTRIBUTES) } : {}),
    ...(nonResource ? { nonResourceAttributes: strings(nonResource, ['path', 'verb']) } : {}),
  };
}
