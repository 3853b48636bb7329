// componentize.mjs: builds a JavaScript policy into a WebAssembly component of the world
// relgate:policy/policy with ComponentizeJS (SpiderMonkey, pre-initialized by Wizer).
//
//   node componentize.mjs --wit <folder of policy.wit> <policy.js> <out.wasm>
//
// Every WASI feature of the engine is disabled (stdio, random, clocks, http, fetch-event),
// so the component imports nothing but relgate:policy/host@1.0.0; the build checks that and
// fails otherwise. An exception a policy does not catch traps.
//
// Without more, the bytes differ from build to build (the policy behaves alike): Wizer's
// pre-initialization sees the clock and random bytes, and paths are built in. With
// `--reproducible <dir> --preload <lib>`, the same source gives the same bytes on any machine:
// <dir> is a fixed, private folder for the work files, the policy and its modules are in a
// fixed folder too, and <lib> (scripts/wizer-fixed-entropy.c, built) is preloaded into Wizer
// to fix its clock and random bytes. scripts/build-policies builds relgate's examples so.

import { readFile, writeFile } from "node:fs/promises";
import { basename, dirname, resolve } from "node:path";
import { parseArgs } from "node:util";

const { values, positionals } = parseArgs({
  options: { wit: { type: "string" }, reproducible: { type: "string" }, preload: { type: "string" } },
  allowPositionals: true,
});
if (!values.wit || positionals.length !== 2 || !values.reproducible !== !values.preload) {
  console.error("usage: node componentize.mjs --wit <dir> [--reproducible <dir> --preload <lib>] <policy.js> <out.wasm>");
  process.exit(2);
}
const wit = resolve(values.wit);
const [source, out] = positionals.map((p) => resolve(p));

// ComponentizeJS stubs the disabled clocks with the time of the build: make it the epoch, so
// a policy that reads Date.now() sees no time at all (its time is the input's `now`), and
// the build does not depend on when it ran. Set before ComponentizeJS loads its bindings.
const clocks = await import("@bytecodealliance/preview2-shim/clocks");
clocks.wallClock.now = () => ({ seconds: 0n, nanoseconds: 0 });
// ComponentizeJS reads the WIT through WASI: give it that folder and nothing else.
const filesystem = await import("@bytecodealliance/preview2-shim/filesystem");
filesystem._setPreopens({ [wit]: wit });

let env;
if (values.reproducible) {
  // The work folder's name is random, and the initializer's path in it is built into the
  // component; the paths of the policy's modules are kept relative to the current folder.
  process.env.TMPDIR = resolve(values.reproducible);
  Math.random = () => 0.5;
  process.chdir(dirname(source));
  // Wizer passes its environment on to the engine, which may keep it: a fixed path too.
  env = { LD_PRELOAD: resolve(values.preload) };
}

const { componentize } = await import("@bytecodealliance/componentize-js");
const { component } = await componentize({
  sourcePath: values.reproducible ? basename(source) : source,
  witPath: wit,
  worldName: "policy",
  disableFeatures: ["stdio", "random", "clocks", "http", "fetch-event"],
  env,
});

const imports = componentImports(component);
const allowed = ["relgate:policy/host@1.0.0"];
const others = imports.filter((name) => !allowed.includes(name));
if (others.length > 0) {
  console.error(`componentize.mjs: the component imports ${others.join(", ")}; relgate allows only ${allowed}`);
  process.exit(1);
}
await writeFile(out, component);

/** The names a component imports: its top-level import section (id 10), read as the
 * component model's binary format defines it. */
function componentImports(bytes) {
  let at = 8; // magic and version/layer
  const u32 = () => {
    let result = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = bytes[at++];
      result += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return result;
    }
  };
  const name = () => {
    const len = u32();
    const text = new TextDecoder().decode(bytes.subarray(at, at + len));
    at += len;
    return text;
  };
  const names = [];
  while (at < bytes.length) {
    const id = bytes[at++];
    const size = u32();
    const end = at + size;
    if (id === 10) {
      for (let count = u32(); count > 0; count--) {
        const kind = bytes[at++];
        if (kind !== 0x00 && kind !== 0x01) throw new Error(`unknown import name kind ${kind}`);
        names.push(name());
        if (kind === 0x01) name(); // a version suffix
        // The extern description: module (0x00 0x11 i), func (0x01 i), value (0x02 bound),
        // type (0x03 0x00 i, or 0x03 0x01 for a fresh resource), component (0x04 i) or
        // instance (0x05 i).
        const sort = bytes[at++];
        if (sort === 0x00 || sort === 0x02) at++;
        if (sort === 0x03 && bytes[at++] === 0x01) continue;
        u32();
      }
    }
    at = end;
  }
  return names;
}
