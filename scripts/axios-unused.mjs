// Stands in for axios in the bundle (scripts/bundle.mjs). node-vault loads axios for its default transport,
// which the OpenBao gateway never uses: it always passes its own (src/gateways/bao-transport.ts).
export function create() {
  throw new Error('node-vault was created without the OpenBao gateway transport');
}
